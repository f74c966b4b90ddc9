# What the codec libraries need, and nothing more: the fuzz sub-project (built with clang) includes
# only this file, so codecs stay free of CAF, OpenSSL and the rest.
find_package(pugixml 1.13 REQUIRED)
# JID normalisation (codecs/xmpp/jid.cpp, RFC 7622): IDNA2008/UTS#46 domain labels with libidn2
# (Debian libidn2-dev), PRECIS width/case mapping, NFC and code point classes with ICU (libicu-dev).
find_package(PkgConfig REQUIRED)
pkg_check_modules(IDN2 REQUIRED IMPORTED_TARGET libidn2)
pkg_check_modules(ICU_UC REQUIRED IMPORTED_TARGET icu-uc)
