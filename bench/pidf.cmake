# PIDF codec benchmarks (codecs/pidf): parse and serialize a typical NOTIFY body.
fedgate_add_benchmark(pidf_codec_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/pidf_codec_bench.cpp
  LIBS fedgate_codec_pidf)
