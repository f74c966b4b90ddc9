# Small functions so each folder's CMakeLists.txt says only what is particular to it.

# fedgate_add_test(NAME SOURCES f.cpp... LIBS lib... [LABELS unit ...])
# One GoogleTest executable; each TEST() becomes its own ctest entry (discovered when ctest runs,
# so ASan builds do not run the binaries at build time). Tests find their data through
# FEDGATE_SOURCE_DIR, so they run from any working directory.
function(fedgate_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE FEDGATE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS "${T_LABELS}")
endfunction()

# fedgate_add_benchmark(NAME SOURCES f.cpp... LIBS lib...)
function(fedgate_add_benchmark name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE ${B_LIBS} benchmark::benchmark_main)
  target_compile_definitions(${name} PRIVATE FEDGATE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endfunction()
