#pragma once
// The default subscription store: one SQLite file in the state directory (libsqlite3, Debian
// libsqlite3-dev), normally state_dir/presence.db.
//
// - WAL journal and synchronous=NORMAL: a put is a commit appended to the -wal file without an
//   fsync, so it costs tens of microseconds; a crash of fedgate loses nothing committed, a power
//   loss can lose the commits since the last checkpoint (those subscriptions then need their
//   side's next refresh or a new subscription). Readers never block the writer.
// - One connection, guarded by a mutex, with its statements prepared once; every call is one
//   statement, so one short transaction. A busy timeout covers another process (the sqlite3 shell
//   of an operator) holding the write lock for a moment.
// - PRAGMA application_id marks the file as fedgate's and PRAGMA user_version holds the schema
//   version: opening migrates an older file step by step in one transaction and refuses a newer
//   one, a foreign SQLite database, and a file that is not a database or fails quick_check, with
//   a message naming the path, so the gateway stops at start instead of losing subscriptions
//   later.
//
// It does not create the directory (the gateway creates the state directory, mode 0700) and
// does not share a file between gateways of a cluster: that is what a server database behind
// subscription_store is for.

#include <filesystem>
#include <memory>
#include <mutex>

#include "actors/presence/subscription_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace fedgate::presence {

class sqlite_subscription_store final : public subscription_store {
 public:
  // The schema this fedgate writes; files with a lower user_version are migrated up to it.
  static constexpr int schema_version = 1;
  // PRAGMA application_id of every fedgate presence store: "FGPS".
  static constexpr std::int32_t application_id = 0x46475053;
  // How long a statement waits for another connection's write lock before it fails.
  static constexpr int busy_timeout_ms = 5000;

  // As open_sqlite_store(), with the concrete type (tests read the pragmas through it).
  static std::unique_ptr<sqlite_subscription_store> open(const std::filesystem::path& path,
                                                         std::string& error);
  ~sqlite_subscription_store() override;
  sqlite_subscription_store(const sqlite_subscription_store&) = delete;
  sqlite_subscription_store& operator=(const sqlite_subscription_store&) = delete;

  std::optional<std::string> put(const subscription_record& r) override;
  std::optional<std::string> erase(watch_direction d, const std::string& local,
                                   const std::string& remote) override;
  std::vector<subscription_record> load_all() override;
  std::optional<std::string> read_all(std::vector<subscription_record>& out) override;
  std::size_t size() override;
  std::string describe() const override;

  const std::filesystem::path& path() const { return path_; }
  // This connection's PRAGMA journal_mode ("wal") and synchronous (1 = NORMAL); "" / -1 on error.
  std::string journal_mode();
  int synchronous();

 private:
  struct statement_deleter {
    void operator()(sqlite3_stmt* s) const;
  };
  using statement = std::unique_ptr<sqlite3_stmt, statement_deleter>;

  sqlite_subscription_store(std::filesystem::path path, sqlite3* db);
  // "sqlite:PATH: <what> failed: <sqlite's message>".
  std::string failure(const char* what, int rc) const;

  std::filesystem::path path_;
  std::string describe_;
  std::mutex mutex_;
  sqlite3* db_;
  statement put_;
  statement erase_;
  statement load_;
  statement count_;
};

}  // namespace fedgate::presence
