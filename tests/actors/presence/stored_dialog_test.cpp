// A SIP dialog survives the store as text, every field; damaged text is refused.

#include "actors/presence/stored_dialog.hpp"

#include <gtest/gtest.h>

namespace fedgate::presence {
namespace {

sip_layer::dialog sample() {
  sip_layer::dialog d;
  d.call_id = "abc@fedgate";
  d.local_tag = "l1";
  d.remote_tag = "r1";
  d.local_uri = "<sip:romeo@montague.example>";
  d.remote_uri = "\"Alice\" <sip:alice@sip.local>";
  d.local_cseq = 42;
  d.remote_cseq = 9;
  d.remote_target = "sip:alice@192.0.2.5:5060;transport=tcp";
  d.route_set = {"sip:proxy1.sip.local;lr", "sip:proxy2.sip.local;lr"};
  d.secure = true;
  return d;
}

TEST(stored_dialog, round_trips_every_field) {
  auto d = sample();
  auto back = dialog_from_text(dialog_to_text(d));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->call_id, d.call_id);
  EXPECT_EQ(back->local_tag, d.local_tag);
  EXPECT_EQ(back->remote_tag, d.remote_tag);
  EXPECT_EQ(back->local_uri, d.local_uri);
  EXPECT_EQ(back->remote_uri, d.remote_uri);
  EXPECT_EQ(back->local_cseq, d.local_cseq);
  EXPECT_EQ(back->remote_cseq, d.remote_cseq);
  EXPECT_EQ(back->remote_target, d.remote_target);
  EXPECT_EQ(back->route_set, d.route_set);
  EXPECT_EQ(back->secure, d.secure);
}

TEST(stored_dialog, without_remote_cseq_or_routes) {
  auto d = sample();
  d.remote_cseq.reset();
  d.route_set.clear();
  d.secure = false;
  auto back = dialog_from_text(dialog_to_text(d));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->remote_cseq);
  EXPECT_TRUE(back->route_set.empty());
  EXPECT_FALSE(back->secure);
}

TEST(stored_dialog, damaged_text_is_refused) {
  auto text = dialog_to_text(sample());
  EXPECT_FALSE(dialog_from_text(""));
  EXPECT_FALSE(dialog_from_text("v 2\ncall-id x\n")) << "a newer format";
  EXPECT_FALSE(dialog_from_text(text + "colour blue\n")) << "an unknown field";
  auto bad_cseq = text;
  bad_cseq.replace(bad_cseq.find("local-cseq 42"), 13, "local-cseq 4x");
  EXPECT_FALSE(dialog_from_text(bad_cseq));
  auto no_target = text;
  no_target.erase(no_target.find("remote-target"));
  EXPECT_FALSE(dialog_from_text(no_target)) << "a dialog needs its remote target";
}

}  // namespace
}  // namespace fedgate::presence
