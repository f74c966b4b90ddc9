# Third-party dependencies, all from Debian 12 packages (scripts/install-deps installs them).
include(FedgateCodecDeps)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)   # config file (TOML, with line/column in every error)
find_package(CLI11 REQUIRED)            # command line
find_package(spdlog REQUIRED)           # structured logs
find_package(prometheus-cpp CONFIG REQUIRED)

# CAF 0.17.6: Debian ships neither a CMake config nor a .pc file, so define the imported targets.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY NAMES caf_core REQUIRED)
find_library(CAF_IO_LIBRARY NAMES caf_io REQUIRED)
find_library(CAF_OPENSSL_LIBRARY NAMES caf_openssl REQUIRED)
add_library(CAF::core UNKNOWN IMPORTED)
set_target_properties(CAF::core PROPERTIES IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}" INTERFACE_LINK_LIBRARIES Threads::Threads)
add_library(CAF::io UNKNOWN IMPORTED)
set_target_properties(CAF::io PROPERTIES IMPORTED_LOCATION "${CAF_IO_LIBRARY}"
  INTERFACE_LINK_LIBRARIES CAF::core)
add_library(CAF::openssl UNKNOWN IMPORTED)
set_target_properties(CAF::openssl PROPERTIES IMPORTED_LOCATION "${CAF_OPENSSL_LIBRARY}"
  INTERFACE_LINK_LIBRARIES "CAF::io;OpenSSL::SSL;OpenSSL::Crypto")

if(FEDGATE_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(FEDGATE_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
  # GNU oSIP: only the SIP parser benchmark links it, as the baseline fedgate's parser is measured against.
  find_path(OSIP_INCLUDE_DIR osipparser2/osip_parser.h REQUIRED)
  find_library(OSIP_PARSER_LIBRARY NAMES osipparser2 REQUIRED)
  add_library(osip::parser UNKNOWN IMPORTED)
  set_target_properties(osip::parser PROPERTIES IMPORTED_LOCATION "${OSIP_PARSER_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${OSIP_INCLUDE_DIR}")
endif()
