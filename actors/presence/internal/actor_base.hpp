#pragma once
// What both presence actors keep for their router shard, the metrics and the storm control, and
// the handling of it that is the same in both (not API: internal/).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor.hpp>

#include "actors/im/im_config.hpp"
#include "actors/im/messages.hpp"
#include "actors/presence/internal/common.hpp"
#include "actors/presence/messages.hpp"
#include "metrics/families.hpp"
#include "metrics/log.hpp"
#include "metrics/mailbox_sampler.hpp"

namespace fedgate::presence::internal {

struct actor_base {
  using clock = std::chrono::steady_clock;
  std::string key;
  std::shared_ptr<const im::im_config> cfg;
  caf::actor shard;
  caf::actor sip;               // the transaction shard of this actor's requests (sip_shard_for)
  std::uint64_t processed = 0;  // messages from the shard: retirement needs the count (router.hpp)
  std::uint64_t coalesced = 0;
  std::uint64_t held_back = 0;  // updates the partner's rate made wait (logged, see below)
  clock::time_point last_flush{};
  bool flush_armed = false;
  clock::time_point last_activity = clock::now();
  std::optional<metrics::actor_count_guard> alive;
  metrics::mailbox_sampler mailbox{metrics::actor_type::presence};
};

// An actor with no watchers and no traffic for this long asks its shard to retire it.
inline constexpr std::chrono::seconds idle_check_interval{60};

template <class Self>
void start_base(Self* self, std::string key, std::shared_ptr<const im::im_config> cfg,
                caf::actor shard) {
  auto& st = self->state;
  st.key = std::move(key);
  st.cfg = std::move(cfg);
  st.shard = std::move(shard);
  st.sip = sip_shard_for(*st.cfg, st.key);
  st.alive.emplace(metrics::actors(), metrics::actor_type::presence);
  self->delayed_send(self, idle_check_interval, idle_check_atom::value);
}

// A message from the shard was taken.
template <class Self>
void took(Self* self) {
  auto& st = self->state;
  st.mailbox.tick(self);
  ++st.processed;
  st.last_activity = actor_base::clock::now();
}

// The periodic check: a mailbox sample, retirement when nothing is held and all was quiet.
template <class Self>
void idle_check(Self* self, bool holds_nothing) {
  auto& st = self->state;
  st.mailbox.sample(self);
  if (holds_nothing && actor_base::clock::now() - st.last_activity >= idle_check_interval) {
    self->send(st.shard, im::idle_atom::value, st.key, st.processed);
  }
  self->delayed_send(self, idle_check_interval, idle_check_atom::value);
}

// The partner's rate held an update back: logged the first time and every 1000th after, so a
// storm shows in the logs with its figures but does not flood them.
inline void note_held_back(actor_base& st, std::string_view partner) {
  if (st.held_back++ % 1000 != 0) return;
  log::warn("presence updates held back by the partner rate",
            {{"actor", st.key},
             {"partner", std::string(partner)},
             {"rate_per_second", st.cfg->presence.partner_rate_per_second},
             {"held_back", st.held_back}});
}

// Arms the actor's one flush timer `delay` from now (rounded up to a millisecond), unless it is
// armed already: one flush message pending per actor, whatever asked for it.
template <class Self>
void arm_flush(Self* self, actor_base::clock::duration delay) {
  auto& st = self->state;
  if (st.flush_armed) return;
  st.flush_armed = true;
  self->delayed_send(self,
                     std::chrono::ceil<std::chrono::milliseconds>(
                         std::max(delay, actor_base::clock::duration::zero())),
                     flush_atom::value);
}

// After a flush: what is left goes out in a follow-up message (`more`: the fan-out bound was
// reached; the actor takes other messages in between) or at the next window (`held_back`).
template <class Self>
void continue_flush(Self* self, bool more, bool held_back) {
  auto& st = self->state;
  if (more) {
    st.flush_armed = true;
    self->send(self, flush_atom::value);
  } else if (held_back) {
    arm_flush(self, st.cfg->presence.coalesce_window);
  }
}

inline void count_coalesced(actor_base& st) {
  ++st.coalesced;
  metrics::presence().coalesced();
}

// Storm control: a change goes out now if the last flush is a window ago, else once at the end
// of the window with whatever is the latest by then. False: a flush was already due (the change
// merges into it).
template <class Self, class Flush>
bool flush_soon(Self* self, std::chrono::milliseconds window, Flush flush) {
  auto& st = self->state;
  if (st.flush_armed) return false;
  auto since = actor_base::clock::now() - st.last_flush;
  if (since >= window) {
    flush(self);
    return true;
  }
  arm_flush(self, window - since);
  return true;
}

}  // namespace fedgate::presence::internal
