#pragma once
// Reads the Prosody S2S transcripts (tests/codecs/xmpp/data/prosody-s2s/*.jsonl): every read or
// write of a captured connection, in order, with the exact bytes. Lines without data (notes) are
// skipped.

#include <string>
#include <vector>

namespace fedgate::testing {

struct transcript_chunk {
  std::string conn;   // "IN1", "OUT2", ...
  std::string from;   // "prosody" or "peer"
  std::string layer;  // "plain" or "tls"
  std::string data;
};

// Loads scenario `name` ("dialback-in", ...). Empty when the file is missing.
std::vector<transcript_chunk> load_prosody_transcript(const std::string& name);

}  // namespace fedgate::testing
