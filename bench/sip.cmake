# SIP codec benchmarks (codecs/sip): parse and serialize a proxied MESSAGE and a presence NOTIFY,
# with GNU oSIP's parser in the same binary as the baseline.
fedgate_add_benchmark(sip_parser_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/sip_parser_bench.cpp
  LIBS fedgate_codec_sip osip::parser)
