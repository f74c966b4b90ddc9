# What the codec libraries need, and nothing more: the fuzz sub-project (built with clang) includes
# only this file, so codecs stay free of CAF, OpenSSL and the rest.
find_package(pugixml 1.13 REQUIRED)
