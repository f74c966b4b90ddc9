#pragma once
// fedgate_actor_mailbox_messages{type}: how many messages wait in the busiest actor of a type.
//
// Why sampled, and by the actors themselves: CAF 0.17 has no safe way to read another actor's
// mailbox, and reading one's own on every message would cost a queue walk per message. So an
// actor records its own mailbox size now and then (mailbox_sampler: every Nth message it
// handles, and on its periodic timers), and the gauge shows the largest sample of the type
// within the current window (mailbox_window, 10 s); the first sample after a window ends starts
// a new one, so a backlog that has cleared stops showing within a window of the next sample.
// Types that sample on a timer (router shards, SIP transaction shards: once a second) are never
// stale for longer than that; actors that only sample as they work (sessions, presence actors)
// also sample on their idle checks.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "metrics/labels.hpp"

namespace fedgate::metrics {

inline constexpr std::chrono::milliseconds mailbox_window{10000};

// Records one sample of an actor's mailbox size (thread-safe, lock-free).
void record_mailbox_sample(
    actor_type t, std::size_t messages,
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) noexcept;

// In an actor's state: call tick(self) in the handlers of its busy messages.
class mailbox_sampler {
 public:
  explicit mailbox_sampler(actor_type t, std::uint32_t every = 64) : type_(t), every_(every) {}

  template <class Actor>
  void tick(Actor* self) noexcept {
    if (++count_ % every_ == 0) sample(self);
  }

  // Counts what the actor has taken from its inbox but not handled yet (CAF moves every arrived
  // message there at the start of a turn and whenever the taken ones run out), so under a
  // backlog it is the backlog minus what arrived during this turn. Not mailbox().size(): that
  // first moves arrivals over in code compiled into our binary, where CAF 0.17's queue downcasts
  // its list sentinel (undefined behaviour that UBSan reports; CAF's own copy is built without it).
  template <class Actor>
  void sample(Actor* self) noexcept {
    record_mailbox_sample(type_, self->mailbox().queue().total_task_size());
  }

 private:
  actor_type type_;
  std::uint32_t every_;
  std::uint32_t count_ = 0;
};

}  // namespace fedgate::metrics
