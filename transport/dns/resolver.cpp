#include "transport/dns/resolver.hpp"

#include <algorithm>
#include <ares.h>
#include <ares_nameser.h>
#include <arpa/inet.h>
#include <atomic>
#include <cctype>
#include <deque>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

namespace fedgate::dns {

const char* to_string(status s) {
  switch (s) {
    case status::ok:
      return "ok";
    case status::not_found:
      return "not found";
    case status::server_failure:
      return "server failure";
    case status::timeout:
      return "timeout";
    case status::cancelled:
      return "cancelled";
    case status::error:
      break;
  }
  return "error";
}

std::string normalize_name(const std::string& name) {
  std::string out = name;
  while (!out.empty() && out.back() == '.')
    out.pop_back();
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<srv_record> order_srv(std::vector<srv_record> records, std::mt19937_64& rng) {
  std::stable_sort(records.begin(), records.end(), [](const srv_record& a, const srv_record& b) {
    return a.priority < b.priority;
  });
  std::vector<srv_record> out;
  out.reserve(records.size());
  auto group_begin = records.begin();
  while (group_begin != records.end()) {
    auto group_end = std::find_if(group_begin, records.end(), [&](const srv_record& r) {
      return r.priority != group_begin->priority;
    });
    // RFC 2782 "Usage rules": zero-weight records first, then repeatedly pick the first record
    // whose running weight sum reaches a random number in [0, sum].
    std::vector<srv_record> group(group_begin, group_end);
    std::stable_partition(group.begin(), group.end(),
                          [](const srv_record& r) { return r.weight == 0; });
    while (!group.empty()) {
      std::uint64_t sum = 0;
      for (const auto& r : group)
        sum += r.weight;
      std::uint64_t pick = std::uniform_int_distribution<std::uint64_t>(0, sum)(rng);
      std::uint64_t running = 0;
      std::size_t chosen = group.size() - 1;
      for (std::size_t i = 0; i < group.size(); ++i) {
        running += group[i].weight;
        if (running >= pick) {
          chosen = i;
          break;
        }
      }
      out.push_back(std::move(group[chosen]));
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    group_begin = group_end;
  }
  return out;
}

namespace {

status from_ares(int code) {
  switch (code) {
    case ARES_SUCCESS:
      return status::ok;
    case ARES_ENODATA:
    case ARES_ENOTFOUND:
      return status::not_found;
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
    case ARES_EBADRESP:
    case ARES_EFORMERR:
    case ARES_ENOTIMP:
    case ARES_ECONNREFUSED:  // c-ares after SERVFAIL/REFUSED from every server, or unreachable
      return status::server_failure;
    case ARES_ETIMEOUT:
      return status::timeout;
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED:
      return status::cancelled;
    default:
      return status::error;
  }
}

bool is_numeric(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

using raw_callback = std::function<void(int code, const unsigned char* abuf, int alen)>;

void on_ares_answer(void* arg, int code, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<raw_callback> cb(static_cast<raw_callback*>(arg));
  (*cb)(code, abuf, alen);
}

}  // namespace

struct resolver::impl {
  resolver_options opts;
  ares_channel channel = nullptr;
  std::string init_error;
  int wake_fd = -1;
  std::mutex mu;
  std::deque<std::function<void()>> jobs;
  std::atomic<bool> stop{false};
  std::thread thread;
  std::mt19937_64 rng{std::random_device{}()};
  std::map<std::string, std::vector<std::string>> hosts;
  std::map<std::string, std::vector<srv_record>> srv;

  void post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu);
      jobs.push_back(std::move(job));
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }

  void run_jobs() {
    std::deque<std::function<void()>> now;
    {
      std::lock_guard<std::mutex> lock(mu);
      now.swap(jobs);
    }
    for (auto& j : now)
      j();
  }

  void loop() {
    while (true) {
      run_jobs();
      if (stop.load()) break;
      ares_socket_t socks[ARES_GETSOCK_MAXNUM];
      int bits = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
      pollfd fds[ARES_GETSOCK_MAXNUM + 1];
      nfds_t n = 0;
      fds[n++] = pollfd{wake_fd, POLLIN, 0};
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short ev = 0;
        if (ARES_GETSOCK_READABLE(bits, i)) ev |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(bits, i)) ev |= POLLOUT;
        if (ev != 0) fds[n++] = pollfd{socks[i], ev, 0};
      }
      timeval max_tv{1, 0}, tv{};
      timeval* t = ares_timeout(channel, &max_tv, &tv);
      int ms = static_cast<int>(t->tv_sec * 1000 + t->tv_usec / 1000);
      int ready = ::poll(fds, n, std::max(ms, 1));
      if (ready > 0 && (fds[0].revents & POLLIN)) {
        std::uint64_t v = 0;
        [[maybe_unused]] auto r = ::read(wake_fd, &v, sizeof v);
      }
      for (nfds_t i = 1; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        bool rd = (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
        bool wr = (fds[i].revents & POLLOUT) != 0;
        ares_process_fd(channel, rd ? fds[i].fd : ARES_SOCKET_BAD,
                        wr ? fds[i].fd : ARES_SOCKET_BAD);
      }
      ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
    }
    ares_destroy(channel);  // pending queries end with ARES_EDESTRUCTION -> cancelled
    channel = nullptr;
  }

  // ---- resolver thread only ----

  void query(const std::string& name, int type, raw_callback cb) {
    ares_query(channel, name.c_str(), ns_c_in, type, on_ares_answer,
               new raw_callback(std::move(cb)));
  }

  void srv_now(const std::string& name, std::function<void(srv_result)> done) {
    if (!channel) {
      done(srv_result{status::cancelled, "resolver stopped", {}, false});
      return;
    }
    if (!init_error.empty()) {
      done(srv_result{status::error, init_error, {}, false});
      return;
    }
    auto key = normalize_name(name);
    if (auto it = srv.find(key); it != srv.end()) {
      srv_result r;
      r.records = order_srv(it->second, rng);
      done(std::move(r));
      return;
    }
    query(key, ns_t_srv, [this, key, done](int code, const unsigned char* abuf, int alen) {
      srv_result r;
      if (code != ARES_SUCCESS) {
        r.code = from_ares(code);
        r.error = "SRV " + key + ": " + ares_strerror(code);
        done(std::move(r));
        return;
      }
      ares_srv_reply* reply = nullptr;
      int pc = ares_parse_srv_reply(abuf, alen, &reply);
      if (pc != ARES_SUCCESS) {
        r.code = pc == ARES_ENODATA ? status::not_found : status::server_failure;
        r.error = "SRV " + key + ": " + ares_strerror(pc);
        done(std::move(r));
        return;
      }
      std::vector<srv_record> recs;
      for (auto* p = reply; p != nullptr; p = p->next) {
        recs.push_back(
            srv_record{normalize_name(p->host ? p->host : ""), p->port, p->priority, p->weight});
      }
      ares_free_data(reply);
      if (recs.size() == 1 && recs.front().target.empty()) {
        r.service_unavailable = true;  // RFC 2782: Target "."
        done(std::move(r));
        return;
      }
      recs.erase(std::remove_if(recs.begin(), recs.end(),
                                [](const srv_record& s) { return s.target.empty(); }),
                 recs.end());
      r.records = order_srv(std::move(recs), rng);
      done(std::move(r));
    });
  }

  void host_now(const std::string& name, std::function<void(host_result)> done) {
    auto key = normalize_name(name);
    if (is_numeric(key)) {
      done(host_result{status::ok, {}, {key}});
      return;
    }
    if (auto it = hosts.find(key); it != hosts.end()) {
      done(host_result{status::ok, {}, it->second});
      return;
    }
    if (!channel) {
      done(host_result{status::cancelled, "resolver stopped", {}});
      return;
    }
    if (!init_error.empty()) {
      done(host_result{status::error, init_error, {}});
      return;
    }
    struct gather {
      int pending = 2;
      std::vector<std::string> v4, v6;
      int code4 = ARES_SUCCESS, code6 = ARES_SUCCESS;
      std::function<void(host_result)> done;
      std::string key;
    };
    auto g = std::make_shared<gather>();
    g->done = std::move(done);
    g->key = key;
    auto finish = [g] {
      if (--g->pending > 0) return;
      host_result r;
      r.addresses = g->v4;
      r.addresses.insert(r.addresses.end(), g->v6.begin(), g->v6.end());
      if (r.addresses.empty()) {
        // The more telling failure wins: a timeout or SERVFAIL over "no such record".
        status s4 = from_ares(g->code4), s6 = from_ares(g->code6);
        auto rank = [](status s) { return s == status::not_found ? 0 : s == status::ok ? -1 : 1; };
        int code = rank(s4) >= rank(s6) ? g->code4 : g->code6;
        r.code = code == ARES_SUCCESS ? status::not_found : from_ares(code);
        r.error = "A/AAAA " + g->key + ": " +
                  (code == ARES_SUCCESS ? std::string("no addresses") : ares_strerror(code));
      }
      g->done(std::move(r));
    };
    query(key, ns_t_a, [g, finish](int code, const unsigned char* abuf, int alen) {
      g->code4 = code;
      if (code == ARES_SUCCESS) {
        ares_addrttl ttls[32];
        int n = 32;
        int pc = ares_parse_a_reply(abuf, alen, nullptr, ttls, &n);
        g->code4 = pc;
        for (int i = 0; pc == ARES_SUCCESS && i < n; ++i) {
          char text[INET_ADDRSTRLEN];
          if (inet_ntop(AF_INET, &ttls[i].ipaddr, text, sizeof text)) g->v4.emplace_back(text);
        }
      }
      finish();
    });
    query(key, ns_t_aaaa, [g, finish](int code, const unsigned char* abuf, int alen) {
      g->code6 = code;
      if (code == ARES_SUCCESS) {
        ares_addr6ttl ttls[32];
        int n = 32;
        int pc = ares_parse_aaaa_reply(abuf, alen, nullptr, ttls, &n);
        g->code6 = pc;
        for (int i = 0; pc == ARES_SUCCESS && i < n; ++i) {
          char text[INET6_ADDRSTRLEN];
          if (inet_ntop(AF_INET6, &ttls[i].ip6addr, text, sizeof text)) g->v6.emplace_back(text);
        }
      }
      finish();
    });
  }

  void service_now(const std::string& service, const std::string& domain,
                   std::uint16_t default_port, std::function<void(service_result)> done,
                   bool fallback_to_host) {
    auto fallback = [this, domain, default_port, done] {
      host_now(domain, [domain, default_port, done](host_result h) {
        service_result r;
        if (h.code != status::ok) {
          r.code = h.code;
          r.error = h.error;
        } else {
          r.targets.push_back(
              service_target{normalize_name(domain), default_port, std::move(h.addresses), false});
        }
        done(std::move(r));
      });
    };
    if (is_numeric(domain)) {
      fallback();
      return;
    }
    srv_now(service + "." + domain, [this, fallback, done, fallback_to_host](srv_result s) {
      if (s.code == status::not_found && fallback_to_host) {
        fallback();  // RFC 2782 / RFC 3263 §4.2: no SRV record, use the domain's A/AAAA
        return;
      }
      service_result r;
      if (s.code != status::ok || s.service_unavailable) {
        r.code = s.code;
        r.error = s.error;
        r.service_unavailable = s.service_unavailable;
        done(std::move(r));
        return;
      }
      struct gather {
        std::size_t pending = 0;
        std::vector<service_target> targets;
        std::vector<host_result> hosts;
        std::function<void(service_result)> done;
      };
      auto g = std::make_shared<gather>();
      g->pending = s.records.size();
      g->hosts.resize(s.records.size());
      g->done = done;
      for (const auto& rec : s.records)
        g->targets.push_back(service_target{rec.target, rec.port, {}, true});
      for (std::size_t i = 0; i < s.records.size(); ++i) {
        host_now(s.records[i].target, [g, i](host_result h) {
          g->hosts[i] = std::move(h);
          if (--g->pending > 0) return;
          service_result out;
          std::string last_error;
          status last = status::not_found;
          for (std::size_t k = 0; k < g->targets.size(); ++k) {
            if (g->hosts[k].code == status::ok && !g->hosts[k].addresses.empty()) {
              g->targets[k].addresses = std::move(g->hosts[k].addresses);
              out.targets.push_back(std::move(g->targets[k]));
            } else {
              last = g->hosts[k].code;
              last_error = g->hosts[k].error;
            }
          }
          if (out.targets.empty()) {
            out.code = last == status::ok ? status::not_found : last;
            out.error = last_error;
          }
          g->done(std::move(out));
        });
      }
    });
  }
};

resolver::resolver(resolver_options options) : impl_(std::make_shared<impl>()) {
  static std::once_flag lib_once;
  std::call_once(lib_once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
  auto& im = *impl_;
  im.opts = std::move(options);
  for (const auto& [k, v] : im.opts.hosts)
    im.hosts[normalize_name(k)] = v;
  for (const auto& [k, v] : im.opts.srv)
    im.srv[normalize_name(k)] = v;
  ares_options ao{};
  ao.timeout = static_cast<int>(std::max<std::int64_t>(1, im.opts.timeout.count()));
  ao.tries = std::max(1, im.opts.tries);
  int rc = ares_init_options(&im.channel, &ao, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (rc != ARES_SUCCESS) {
    im.init_error = std::string("c-ares init: ") + ares_strerror(rc);
    im.channel = nullptr;
  } else if (!im.opts.servers.empty()) {
    rc = ares_set_servers_ports_csv(im.channel, im.opts.servers.c_str());
    if (rc != ARES_SUCCESS) {
      im.init_error = "dns servers \"" + im.opts.servers + "\": " + ares_strerror(rc);
    }
  }
  im.wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (im.channel) {
    im.thread = std::thread([p = impl_.get()] { p->loop(); });
  }
}

resolver::~resolver() {
  auto& im = *impl_;
  im.stop.store(true);
  if (im.thread.joinable()) {
    im.post([] {});
    im.thread.join();
  }
  im.run_jobs();  // posted after the loop ended: answered with status::cancelled
  if (im.wake_fd >= 0) ::close(im.wake_fd);
}

const std::string& resolver::init_error() const {
  return impl_->init_error;
}

void resolver::resolve_srv(const std::string& name, std::function<void(srv_result)> done) {
  auto* im = impl_.get();
  if (!im->thread.joinable()) {
    done(srv_result{status::error, im->init_error, {}, false});
    return;
  }
  im->post([im, name, done = std::move(done)]() mutable { im->srv_now(name, std::move(done)); });
}

void resolver::resolve_host(const std::string& name, std::function<void(host_result)> done) {
  auto* im = impl_.get();
  if (!im->thread.joinable()) {
    done(host_result{status::error, im->init_error, {}});
    return;
  }
  im->post([im, name, done = std::move(done)]() mutable { im->host_now(name, std::move(done)); });
}

void resolver::resolve_service(const std::string& service, const std::string& domain,
                               std::uint16_t default_port, std::function<void(service_result)> done,
                               bool fallback_to_host) {
  auto* im = impl_.get();
  if (!im->thread.joinable()) {
    done(service_result{status::error, im->init_error, {}, false});
    return;
  }
  im->post([im, service, domain, default_port, fallback_to_host, done = std::move(done)]() mutable {
    im->service_now(service, domain, default_port, std::move(done), fallback_to_host);
  });
}

}  // namespace fedgate::dns
