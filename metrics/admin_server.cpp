#include "metrics/admin_server.hpp"

#include <chrono>
#include <exception>
#include <future>
#include <httplib.h>
#include <mutex>
#include <sys/socket.h>
#include <thread>

#include "metrics/registry.hpp"

namespace fedgate::metrics {

struct admin_server::impl {
  httplib::Server server;
  std::thread thread;
  std::future<void> done;
  std::uint16_t port = 0;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
  mutable std::mutex checks_mutex;
  std::vector<named_check> checks;
};

admin_server::admin_server() : impl_(std::make_unique<impl>()) {}

admin_server::~admin_server() {
  stop();
}

bool admin_server::start(const listen_address& at,
                         std::vector<std::shared_ptr<prometheus::Collectable>> collectables,
                         std::vector<named_check> checks, std::string& error) {
  if (impl_->thread.joinable()) {
    error = "the admin server is already started";
    return false;
  }
  impl_->collectables = std::move(collectables);
  for (auto& [name, check] : checks)
    add_readiness_check(std::move(name), std::move(check));

  auto& svr = impl_->server;
  // Two threads: a scrape and a probe at the same time; more is waste on a gateway.
  svr.new_task_queue = [] { return new httplib::ThreadPool(2); };
  svr.set_keep_alive_max_count(100);
  svr.set_read_timeout(std::chrono::seconds(5));
  svr.set_write_timeout(std::chrono::seconds(5));
  // httplib's default also sets SO_REUSEPORT, which lets a second process bind the same port and
  // steal half the scrapes; SO_REUSEADDR alone allows a quick restart and still refuses that.
  svr.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  svr.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(serialize(impl_->collectables), "text/plain; version=0.0.4; charset=utf-8");
  });
  svr.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  svr.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    auto r = check_readiness();
    res.status = r.ready ? 200 : 503;
    res.set_content((r.ready ? "ready\n" : "not ready\n") + r.body, "text/plain; charset=utf-8");
  });

  // httplib takes the host as getaddrinfo does: strip the brackets of an IPv6 literal.
  std::string host = at.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (at.port == 0) {
    int p = svr.bind_to_any_port(host);
    if (p <= 0) {
      error = "cannot bind " + at.host + ":0";
      return false;
    }
    impl_->port = static_cast<std::uint16_t>(p);
  } else {
    if (!svr.bind_to_port(host, at.port)) {
      error = "cannot bind " + at.host + ":" + std::to_string(at.port) +
              " (address in use, or not an address of this host)";
      return false;
    }
    impl_->port = at.port;
  }
  std::packaged_task<void()> task([&svr] { svr.listen_after_bind(); });
  impl_->done = task.get_future();
  impl_->thread = std::thread(std::move(task));
  return true;
}

void admin_server::add_readiness_check(std::string name, readiness_check check) {
  std::lock_guard<std::mutex> lock(impl_->checks_mutex);
  for (auto& [n, c] : impl_->checks) {
    if (n == name) {
      c = std::move(check);
      return;
    }
  }
  impl_->checks.emplace_back(std::move(name), std::move(check));
}

admin_server::readiness admin_server::check_readiness() const {
  std::vector<named_check> checks;
  {
    std::lock_guard<std::mutex> lock(impl_->checks_mutex);
    checks = impl_->checks;
  }
  readiness r;
  for (const auto& [name, check] : checks) {
    std::optional<std::string> failure;
    try {
      failure = check ? check() : std::optional<std::string>("no check function");
    } catch (const std::exception& e) {
      failure = std::string("check threw: ") + e.what();
    } catch (...) {
      failure = "check threw";
    }
    if (failure) {
      r.ready = false;
      r.body += "failed " + name + ": " + *failure + "\n";
    } else {
      r.body += "ok " + name + "\n";
    }
  }
  return r;
}

void admin_server::stop() {
  if (!impl_->thread.joinable()) return;
  // httplib's stop() only acts once the listen loop runs; the thread may not have reached it yet,
  // so ask again until the loop has returned (bounded: the loop starts within microseconds).
  for (int attempt = 0; attempt < 500; ++attempt) {
    impl_->server.stop();
    if (impl_->done.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready) break;
  }
  impl_->thread.join();
  impl_->port = 0;
}

std::uint16_t admin_server::port() const {
  return impl_->port;
}

}  // namespace fedgate::metrics
