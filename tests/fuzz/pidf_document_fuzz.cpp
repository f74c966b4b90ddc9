// libFuzzer target for the PIDF codec (codecs/pidf): parse arbitrary bytes; when they parse, the
// document must validate, serialize, and parse back equal (round trip), and the serialized form
// must be a fixed point. Invariants are checked with __builtin_trap so the fuzzer reports them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codecs/pidf/parser.hpp"
#include "codecs/pidf/serializer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fedgate::pidf;
  limits lim;
  lim.max_bytes = 16 * 1024;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto doc = parse(body, lim);
  if (!doc.ok()) {
    if (doc.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (doc.value().entity.empty()) __builtin_trap();
  if (doc.value().tuples.size() > lim.max_tuples) __builtin_trap();
  if (validate(doc.value())) __builtin_trap();
  const auto text = serialize(doc.value());
  if (!text.ok()) __builtin_trap();
  // Counts are unchanged by a round trip, but the size is not (inherited xml:lang is written on
  // every note, CR becomes &#13;), so the re-parse lifts the byte limit only.
  limits relaxed = lim;
  relaxed.max_bytes = SIZE_MAX;
  const auto again = parse(text.value(), relaxed);
  if (!again.ok()) __builtin_trap();
  if (again.value() != doc.value()) __builtin_trap();
  const auto text2 = serialize(again.value());
  if (!text2.ok() || text2.value() != text.value()) __builtin_trap();
  return 0;
}
