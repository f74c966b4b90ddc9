# XMPP codec benchmarks (included from bench/CMakeLists.txt).
fedgate_add_benchmark(xmpp_stream_bench SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/xmpp_stream_bench.cpp
                      LIBS fedgate_codec_xmpp)
