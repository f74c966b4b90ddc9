#pragma once
// The error model of the SIP codec: nothing here throws on bad input. Every parse function returns
// a result<T> that holds either the value or an `error` shaped as the SIP answer to send back
// (RFC 3261 §21: status code and reason phrase), so a transport can reply "SIP/2.0 400 Malformed
// Via header: missing sent-by" without knowing anything about the parser.
//
// For a response that fails to parse there is nobody to answer (RFC 3261 §18.1.2: malformed
// responses are discarded); the error is still descriptive, for logs and metrics.

#include <string>
#include <utility>
#include <variant>

namespace fedgate::sip {

struct error {
  int status = 400;    // 400, 505 (bad version), 513 (too large), 416 (unsupported URI scheme)
  std::string reason;  // reason phrase naming the problem; never contains CR or LF

  /// "400 Malformed Via header: missing branch"
  std::string to_string() const { return std::to_string(status) + " " + reason; }
};

inline error bad_request(std::string reason) {
  return error{400, std::move(reason)};
}

/// Value or error. Accessing the wrong alternative is a programming error (std::get throws
/// bad_variant_access); callers check ok() first.
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose, like expected<T>
  result(error e) : v_(std::move(e)) {}      // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

}  // namespace fedgate::sip
