#pragma once
// Configuration reload (`fedgate ctl reload`, SIGHUP): re-read the config file the gateway runs
// with, apply what can change while it runs, and say exactly what happened.
//
// What changes live (docs/operations.md, "Reload"):
//   [[xmpp.partners]]      added partners are usable at once; removed ones have their streams
//                          closed and their queued stanzas bounced; changed ones get the new
//                          policy and routes on their next streams (streams up stay as they are)
//   xmpp.federation, xmpp.deny, sip.trusted_peers, sip.trusted_certificate_names,
//   general.log_level
// (a partner's `presence` authorisation needs a restart: the presence actors read it at start)
// Every other key needs a restart: a reload reports its key path and keeps running with the old
// value (so `ctl status` and the next reload still show the difference). A file that does not
// load (syntax, validation, certificates) changes nothing; every error is reported.
//
// Why a typed diff plus a TOML-level fallback: the typed diff knows which keys are live and
// compares values, not spellings (a key set to its default is no change). Top-level tables it
// does not know (added to the config later) are compared as TOML, so a new section is never
// silently ignored: its changes are reported as needing a restart.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"

namespace fedgate::app {

struct partner_change {
  std::string domain;
  std::vector<std::string> keys;  // "tls", "routes", ... (keys of its [[xmpp.partners]] entry)
};

struct config_diff {
  std::vector<std::string> added;  // partner domains, in the new file's order
  std::vector<std::string> removed;
  std::vector<partner_change> changed;
  std::vector<std::string> live;           // other live key paths whose value changed
  std::vector<std::string> needs_restart;  // key paths that changed but need a restart
  // Something to apply (partners or live keys).
  bool applies() const {
    return !added.empty() || !removed.empty() || !changed.empty() || !live.empty();
  }
};

// Compares the running config with the one just loaded. `running_text` and `next_text` are the
// files' TOML (for top-level tables the typed diff does not know); empty: not compared.
config_diff diff_configs(const config& running, const config& next,
                         std::string_view running_text = {}, std::string_view next_text = {});

// The config the gateway runs after a reload: `running` with every live key taken from `next`
// (keys that need a restart keep their running value).
config apply_live(const config& running, const config& next);

// What one reload did, for `ctl reload` (JSON) and the log.
struct reload_outcome {
  enum class result { applied, unchanged, rejected } what = result::unchanged;
  config_diff diff;
  std::vector<std::string> errors;  // "file:line:col: key: message", when rejected
};
std::string_view to_string(reload_outcome::result r);

// {"result", "added", "removed", "changed": [{"domain","keys"}], "live", "needs_restart",
//  "errors"}
std::string to_json(const reload_outcome& o);

// Owns the running config and serialises reloads (the control thread and the signal loop may
// both ask). `apply` is called with the new effective config and the diff, only when something
// live changed; it returns once the change is in effect.
class config_reloader {
 public:
  using apply_fn = std::function<void(const config& effective, const config_diff& diff)>;

  // `running`: the config the gateway started with; its file is read once more for its TOML.
  config_reloader(config running, apply_fn apply);

  // Re-reads running().source and applies it (see above). Thread-safe.
  reload_outcome reload();

  // reload(), then counts it (fedgate_config_reloads_total) and logs what happened, every error
  // included; `trigger` names the cause in the log ("ctl", "SIGHUP"). Returns to_json().
  std::string reload_and_report(std::string_view trigger);

  // The config in effect now (a snapshot: safe to hold while a reload happens).
  std::shared_ptr<const config> running() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const config> running_;
  std::string running_text_;
  apply_fn apply_;
};

}  // namespace fedgate::app
