#pragma once
// XMPP addresses (JIDs), RFC 7622: parsing, validation, normalisation ("enforcement") and
// comparison. A jid value is always valid and normalised, so comparing two jids compares their
// canonical forms:
//   - localpart: PRECIS UsernameCaseMapped (RFC 8265 §3.3): width mapping, lower case, NFC, the
//     IdentifierClass code points (RFC 8264 §4.2) minus the characters RFC 7622 §3.3.1 forbids;
//   - domainpart: IP literal (RFC 7622 §3.2: IPv4 dotted quad or [IPv6], the latter canonicalised
//     per RFC 5952), or a DNS name with one trailing dot removed, converted with IDNA2008 + UTS#46
//     mapping to lower-case A-labels (so "Bücher.Example" becomes "xn--bcher-kva.example"), every
//     label LDH and 1..63 octets;
//   - resourcepart: PRECIS OpaqueString (RFC 8265 §4.2): non-ASCII spaces to U+0020, NFC, the
//     FreeformClass code points; case kept.
// Each part is 1..1023 octets after normalisation (RFC 7622 §3.1).
//
// Not implemented (see README.md): the PRECIS Bidi Rule (RFC 5893) and the CONTEXTJ/CONTEXTO
// rules (such code points are refused rather than checked in context); domain labels are checked
// by libidn2, not against RFC 5893 either. Domains are kept as A-labels, never shown as U-labels.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace fedgate::xmpp {

enum class jid_error {
  none,
  invalid_utf8,
  empty_localpart,           // "@example.com"
  localpart_too_long,        // > 1023 octets
  localpart_forbidden_char,  // " & ' / : < > @ (RFC 7622 §3.3.1)
  localpart_disallowed,      // not in the PRECIS IdentifierClass
  empty_domainpart,
  domainpart_too_long,
  domainpart_invalid,  // bad label, bad IP literal, IDNA failure
  empty_resourcepart,  // "example.com/"
  resourcepart_too_long,
  resourcepart_disallowed,  // not in the PRECIS FreeformClass
};

std::string_view to_string(jid_error e) noexcept;

class jid {
 public:
  // Parses and normalises `s`. On failure returns nullopt and sets *why (if given).
  static std::optional<jid> parse(std::string_view s, jid_error* why = nullptr);
  // Builds from parts (each normalised and checked); `local` and `resource` may be empty.
  static std::optional<jid> from_parts(std::string_view local, std::string_view domain,
                                       std::string_view resource, jid_error* why = nullptr);

  const std::string& local() const noexcept { return local_; }
  const std::string& domain() const noexcept { return domain_; }
  const std::string& resource() const noexcept { return resource_; }
  bool has_local() const noexcept { return !local_.empty(); }
  bool has_resource() const noexcept { return !resource_.empty(); }
  bool is_bare() const noexcept { return resource_.empty(); }

  // The same address without resourcepart.
  jid bare() const;
  // The same bare address with another resource; nullopt if `resource` is not valid.
  std::optional<jid> with_resource(std::string_view resource, jid_error* why = nullptr) const;

  // "local@domain/resource" (parts omitted when empty); parse(to_string()) == *this.
  std::string to_string() const;
  std::string bare_string() const;

  friend bool operator==(const jid& a, const jid& b) {
    return a.domain_ == b.domain_ && a.local_ == b.local_ && a.resource_ == b.resource_;
  }
  friend bool operator!=(const jid& a, const jid& b) { return !(a == b); }
  // Domain first, then local, then resource: groups addresses by server.
  friend bool operator<(const jid& a, const jid& b);

 private:
  jid() = default;
  std::string local_, domain_, resource_;
};

// The individual normalisation steps, for callers that handle parts separately (e.g. a domain from
// configuration). Each returns nullopt on failure and sets *why.
std::optional<std::string> normalize_localpart(std::string_view s, jid_error* why = nullptr);
std::optional<std::string> normalize_domainpart(std::string_view s, jid_error* why = nullptr);
std::optional<std::string> normalize_resourcepart(std::string_view s, jid_error* why = nullptr);

}  // namespace fedgate::xmpp

template <>
struct std::hash<fedgate::xmpp::jid> {
  std::size_t operator()(const fedgate::xmpp::jid& j) const noexcept {
    std::hash<std::string> h;
    return h(j.domain()) ^ (h(j.local()) * 31) ^ (h(j.resource()) * 131);
  }
};
