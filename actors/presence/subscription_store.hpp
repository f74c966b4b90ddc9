#pragma once
// The presence subscription store: the state that must survive a restart. An established
// subscription (who watches whom, whether it is authorised, and the SIP dialog that carries its
// NOTIFYs) lives here, so that after a restart fedgate reloads it and goes on notifying instead of
// making every XMPP contact and SIP user subscribe again (RFC 6665 §4.2, RFC 7248 §4).
//
// It is a small interface so a server database can be added for clusters; today there are two
// implementations: the embedded SQLite file in the state directory (the default,
// sqlite_subscription_store.hpp) and a memory one (memory_subscription_store.hpp) for tests and
// for running without a state file.
//
// What it deliberately is not: a cache of presence itself (availability is sent again by the
// watched side after a restart), nor a place for the actors' in-flight state (pending
// transactions, timers). Callers keep their own view in memory and write through here.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fedgate::presence {

// Which side watches which: an XMPP contact watching a local SIP user, or a local SIP user
// watching an XMPP contact. Stored as its number: do not reorder (the store orders by it).
enum class watch_direction : std::uint8_t { xmpp_watches_sip = 0, sip_watches_xmpp = 1 };

// Authorisation state of the subscription (RFC 6665 §4.1.3 Subscription-State pending/active).
// Stored as its number: do not reorder.
enum class auth_state : std::uint8_t { pending = 0, active = 1 };

// "xmpp_watches_sip", "sip_watches_xmpp"; "pending", "active" (logs, ctl).
std::string_view to_string(watch_direction d);
std::string_view to_string(auth_state s);

struct subscription_record {
  watch_direction direction = watch_direction::xmpp_watches_sip;
  std::string local;   // the local SIP user as a bare JID in XMPP form ("alice@sip.example")
  std::string remote;  // the XMPP contact's bare JID ("bob@xmpp.example")
  auth_state state = auth_state::pending;
  // Opaque text (the actor's serialized SIP dialog) to resume NOTIFYs after a restart; "" none.
  std::string sip_dialog;
  std::int64_t expires_unix = 0;  // when the SIP side of it expires, unix seconds; 0 unknown
};

bool operator==(const subscription_record& a, const subscription_record& b);
bool operator!=(const subscription_record& a, const subscription_record& b);

// Why put() refuses `r` (empty local or remote, an enum value outside the ones above), or nullopt.
// Every implementation checks with this, so they refuse the same records.
std::optional<std::string> record_error(const subscription_record& r);

// Thread-safe: presence actors on several scheduler threads call it directly. Every call is one
// short transaction (a single statement), so a crash loses at most the call under way.
// Records are keyed by (direction, local, remote); local and remote are compared byte for byte,
// so callers store them normalised (the bare JIDs as codecs/xmpp/jid.hpp prints them).
class subscription_store {
 public:
  virtual ~subscription_store() = default;

  // Insert or replace the record keyed by (direction, local, remote). Returns an error text on
  // failure, nullopt on success. An empty local or remote, or an enum value outside the ones
  // above, is refused (a caller bug; nothing is written).
  virtual std::optional<std::string> put(const subscription_record& r) = 0;

  // Removes the record keyed by (d, local, remote). Removing one that is not there succeeds (the
  // caller's unsubscribe may race its own expiry). Error text on failure, nullopt on success.
  virtual std::optional<std::string> erase(watch_direction d, const std::string& local,
                                           const std::string& remote) = 0;

  // Everything, for the restart; ordered by (direction, local, remote), strings byte-wise.
  // A failed read gives what read_all() would leave: nothing (use read_all() to learn why).
  virtual std::vector<subscription_record> load_all() = 0;

  // As load_all(), saying why it failed: nullopt and `out` holds everything, or the error text
  // and `out` is empty. The default calls load_all() (for implementations that cannot fail).
  virtual std::optional<std::string> read_all(std::vector<subscription_record>& out) {
    out = load_all();
    return std::nullopt;
  }

  // How many records there are (0 if it cannot be read).
  virtual std::size_t size() = 0;

  // e.g. "sqlite:/var/lib/fedgate/presence.db" or "memory", for logs and `fedgate ctl status`.
  virtual std::string describe() const = 0;
};

// Opens (creating if needed) the SQLite store at `path`: WAL journal, synchronous=NORMAL, a busy
// timeout, a schema version (PRAGMA user_version) so later versions can migrate. The directory must
// exist (it is the state directory); a new file is created mode 0600. On error returns nullptr and
// sets `error` to a clear message naming the path. See sqlite_subscription_store.hpp.
std::unique_ptr<subscription_store> open_sqlite_store(const std::filesystem::path& path,
                                                      std::string& error);

// A store in memory: same behaviour as the SQLite one, nothing survives the process.
std::unique_ptr<subscription_store> make_memory_store();

}  // namespace fedgate::presence
