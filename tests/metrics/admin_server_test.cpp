#include "metrics/admin_server.hpp"

#include <atomic>
#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "metrics/process_collector.hpp"

namespace fedgate::metrics {
namespace {

using ::testing::HasSubstr;

struct admin_server_test : ::testing::Test {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  admin_server server;
  std::atomic<bool> store_open{true};

  void SetUp() override {
    prometheus::BuildCounter()
        .Name("test_events_total")
        .Help("events")
        .Register(*registry)
        .Add({{"kind", "a"}})
        .Increment(7);
    std::string error;
    ASSERT_TRUE(server.start({"127.0.0.1", 0}, {registry, std::make_shared<process_collector>()},
                             {{"store open",
                               [this]() -> std::optional<std::string> {
                                 if (store_open) return std::nullopt;
                                 return "sqlite store closed";
                               }}},
                             error))
        << error;
    ASSERT_NE(server.port(), 0);
  }

  httplib::Result get(const std::string& path) {
    httplib::Client c("127.0.0.1", server.port());
    c.set_connection_timeout(std::chrono::seconds(5));
    c.set_read_timeout(std::chrono::seconds(5));
    return c.Get(path);
  }
};

TEST_F(admin_server_test, metrics_serves_the_exposition) {
  auto r = get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(r->body, HasSubstr("# TYPE test_events_total counter\n"));
  EXPECT_THAT(r->body, HasSubstr("test_events_total{kind=\"a\"} 7\n"));
  EXPECT_THAT(r->body, HasSubstr("process_open_fds "));
}

TEST_F(admin_server_test, healthz_is_ok) {
  auto r = get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
}

TEST_F(admin_server_test, readyz_is_200_when_every_check_passes_and_503_naming_the_failing_ones) {
  auto r = get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ready\nok store open\n");

  store_open = false;
  server.add_readiness_check("listeners up", [] { return std::optional<std::string>(); });
  server.add_readiness_check("outbound proxy reachable",
                             [] { return std::optional<std::string>("no answer to OPTIONS"); });
  r = get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body,
            "not ready\n"
            "failed store open: sqlite store closed\n"
            "ok listeners up\n"
            "failed outbound proxy reachable: no answer to OPTIONS\n");

  // Replaced by name; a throwing check is a failing one, not a crash.
  store_open = true;
  server.add_readiness_check("outbound proxy reachable",
                             [] { return std::optional<std::string>(); });
  server.add_readiness_check(
      "throws", []() -> std::optional<std::string> { throw std::runtime_error("boom"); });
  r = get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, HasSubstr("failed throws: check threw: boom\n"));
  EXPECT_THAT(r->body, HasSubstr("ok outbound proxy reachable\n"));
}

TEST_F(admin_server_test, other_paths_are_404) {
  for (const char* path : {"/", "/metrics/x", "/health", "/readyz/"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
  }
}

TEST_F(admin_server_test, stop_closes_the_listener) {
  auto port = server.port();
  server.stop();
  server.stop();  // idempotent
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(std::chrono::seconds(2));
  auto r = c.Get("/healthz");
  EXPECT_FALSE(r);
}

TEST(admin_server, a_bound_port_is_an_error) {
  admin_server first, second;
  std::string error;
  ASSERT_TRUE(first.start({"127.0.0.1", 0}, {}, {}, error)) << error;
  EXPECT_FALSE(second.start({"127.0.0.1", first.port()}, {}, {}, error));
  EXPECT_THAT(error, HasSubstr("cannot bind 127.0.0.1:"));
  EXPECT_FALSE(first.start({"127.0.0.1", 0}, {}, {}, error));  // already started
}

TEST(admin_server, stops_right_after_start) {
  for (int i = 0; i < 20; ++i) {
    admin_server s;
    std::string error;
    ASSERT_TRUE(s.start({"127.0.0.1", 0}, {}, {}, error)) << error;
    s.stop();
  }
}

}  // namespace
}  // namespace fedgate::metrics
