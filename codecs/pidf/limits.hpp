#pragma once
// Bounds on what the PIDF parser accepts: a presence body comes from a remote peer, so its size
// and every count the gateway will store or fan out are capped (coding-style: limits are
// parameters with defaults, set from the config). The defaults are far above what Kamailio,
// Asterisk or Lync send (one to a few tuples, one person, a note or two).

#include <cstddef>

namespace fedgate::pidf {

struct limits {
  std::size_t max_bytes = 64 * 1024;  // whole body, before parsing
  std::size_t max_tuples = 32;
  std::size_t max_notes = 64;  // all notes and <rpid:other> texts in the document together
  std::size_t max_persons = 8;
  std::size_t max_devices = 16;
};

}  // namespace fedgate::pidf
