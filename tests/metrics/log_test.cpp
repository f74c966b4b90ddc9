#include "metrics/log.hpp"

#include <gtest/gtest.h>

namespace fedgate::log {
namespace {

TEST(log_render, logfmt_quotes_only_when_needed) {
  EXPECT_EQ(render(format::logfmt, "stream closed", {{"partner", "a.example"}, {"streams", 3}}),
            "msg=\"stream closed\" partner=a.example streams=3");
}

TEST(log_render, logfmt_escapes_quotes_backslashes_newlines_and_empty) {
  EXPECT_EQ(render(format::logfmt, "x", {{"reason", "bad \"cert\"\nC:\\"}, {"empty", ""}}),
            "msg=x reason=\"bad \\\"cert\\\"\\nC:\\\\\" empty=\"\"");
  EXPECT_EQ(render(format::logfmt, "a=b", {}), "msg=\"a=b\"");
}

TEST(log_render, json_escapes_per_rfc8259) {
  EXPECT_EQ(render(format::json, "m\"1", {{"k", std::string("a\x01\tb")}}),
            "\"msg\":\"m\\\"1\",\"k\":\"a\\u0001\\tb\"");
}

TEST(log_render, utf8_passes_through) {
  EXPECT_EQ(render(format::json, "é", {{"k", "☃"}}), "\"msg\":\"é\",\"k\":\"☃\"");
  EXPECT_EQ(render(format::logfmt, "é", {}), "msg=é");
}

}  // namespace
}  // namespace fedgate::log
