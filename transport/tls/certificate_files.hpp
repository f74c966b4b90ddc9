#pragma once
// Checks that a PEM certificate and private key can be loaded and belong together.
//
// Why here and not only at handshake time: a wrong key or an expired certificate shows up as a
// partner that "cannot federate" hours later; `fedgate check-config` and start-up refuse it at once
// with the file and OpenSSL's reason.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fedgate::tls {

struct certificate_info {
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries
  std::chrono::system_clock::time_point not_after;
};

// nullopt when the pair is usable; otherwise a sentence naming the file and the problem.
std::optional<std::string> check_certificate_pair(const std::filesystem::path& certificate,
                                                  const std::filesystem::path& key);

// nullopt when the file holds at least one loadable PEM certificate (a CA bundle).
std::optional<std::string> check_ca_bundle(const std::filesystem::path& bundle);

// Reads the first certificate of a PEM file; nullopt when it cannot be read.
std::optional<certificate_info> read_certificate_info(const std::filesystem::path& certificate);

}  // namespace fedgate::tls
