# The fuzz targets, shared by tests/fuzz/CMakeLists.txt (which builds them) and tests/CMakeLists.txt
# (which runs them). <target>_fuzz.cpp links fedgate_codec_<first word of target>; its seed corpus
# is corpus/<target>/.
set(FEDGATE_FUZZ_TARGETS sip_message xmpp_stream xmpp_jid pidf_document)
