#include "codecs/sip/header_name.hpp"

#include <gtest/gtest.h>

namespace fedgate::sip {
namespace {

TEST(sip_header_name, compact_forms_map_to_canonical_names) {
  const std::pair<char, std::string_view> compact[] = {{'i', "Call-ID"},
                                                       {'m', "Contact"},
                                                       {'e', "Content-Encoding"},
                                                       {'l', "Content-Length"},
                                                       {'c', "Content-Type"},
                                                       {'f', "From"},
                                                       {'s', "Subject"},
                                                       {'k', "Supported"},
                                                       {'t', "To"},
                                                       {'v', "Via"},
                                                       {'o', "Event"},
                                                       {'u', "Allow-Events"},
                                                       {'r', "Refer-To"},
                                                       {'b', "Referred-By"},
                                                       {'x', "Session-Expires"},
                                                       {'a', "Accept-Contact"},
                                                       {'j', "Reject-Contact"},
                                                       {'d', "Request-Disposition"},
                                                       {'y', "Identity"},
                                                       {'n', "Identity-Info"}};
  for (auto [letter, name] : compact) {
    header_id id = lookup_header(std::string_view(&letter, 1));
    EXPECT_EQ(canonical_name(id), name) << letter;
    EXPECT_EQ(compact_form(id), letter) << name;
    char upper = static_cast<char>(letter - 32);
    EXPECT_EQ(lookup_header(std::string_view(&upper, 1)), id);
  }
  EXPECT_EQ(lookup_header("z"), header_id::other);
  EXPECT_EQ(lookup_header("1"), header_id::other);
}

TEST(sip_header_name, full_names_are_case_insensitive) {
  EXPECT_EQ(lookup_header("cAlL-iD"), header_id::call_id);
  EXPECT_EQ(lookup_header("CSEQ"), header_id::cseq);
  EXPECT_EQ(lookup_header("www-authenticate"), header_id::www_authenticate);
  EXPECT_EQ(lookup_header("Subscription-State"), header_id::subscription_state);
  EXPECT_EQ(lookup_header("X-Custom"), header_id::other);
  EXPECT_EQ(lookup_header(""), header_id::other);
  EXPECT_EQ(lookup_header("Via-"), header_id::other);
  EXPECT_EQ(canonical_name(header_id::other), "");
  EXPECT_EQ(compact_form(header_id::cseq), '\0');
}

}  // namespace
}  // namespace fedgate::sip
