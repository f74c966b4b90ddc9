#include "actors/presence/sqlite_subscription_store.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

namespace fedgate::presence {
namespace {

// migrations[v] takes a file from user_version v to v + 1 (run in one transaction at open).
// Directions and states are stored as the enums' numbers, so ORDER BY gives the enum order;
// WITHOUT ROWID makes the key the table's own b-tree (no second index).
const char* const migrations[] = {
    // 0 -> 1: the subscriptions table.
    "CREATE TABLE subscriptions ("
    " direction INTEGER NOT NULL CHECK (direction IN (0, 1)),"
    " local TEXT NOT NULL,"
    " remote TEXT NOT NULL,"
    " state INTEGER NOT NULL CHECK (state IN (0, 1)),"
    " sip_dialog TEXT NOT NULL DEFAULT '',"
    " expires_unix INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (direction, local, remote)"
    ") WITHOUT ROWID;",
};
static_assert(sizeof migrations / sizeof migrations[0] ==
              sqlite_subscription_store::schema_version);

constexpr const char* put_sql =
    "INSERT OR REPLACE INTO subscriptions"
    " (direction, local, remote, state, sip_dialog, expires_unix) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* erase_sql =
    "DELETE FROM subscriptions WHERE direction = ?1 AND local = ?2 AND remote = ?3";
constexpr const char* load_sql =
    "SELECT direction, local, remote, state, sip_dialog, expires_unix FROM subscriptions"
    " ORDER BY direction, local, remote";
constexpr const char* count_sql = "SELECT count(*) FROM subscriptions";

std::string quoted(const std::filesystem::path& p) {
  return "\"" + p.string() + "\"";
}

// Resets a statement when a call is done with it, whatever way it leaves.
struct reset_on_exit {
  sqlite3_stmt* s;
  ~reset_on_exit() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

// The first column of the first row of `sql`, as text; nullopt with `rc` on error.
std::optional<std::string> query_text(sqlite3* db, const char* sql, int& rc) {
  sqlite3_stmt* s = nullptr;
  rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
  if (rc != SQLITE_OK) return std::nullopt;
  rc = sqlite3_step(s);
  std::optional<std::string> out;
  if (rc == SQLITE_ROW) {
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    out = text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, 0))) : "";
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    out = "";
    rc = SQLITE_OK;
  }
  sqlite3_finalize(s);
  return out;
}

std::optional<std::int64_t> query_int(sqlite3* db, const char* sql, int& rc) {
  auto text = query_text(db, sql, rc);
  if (!text) return std::nullopt;
  return std::strtoll(text->c_str(), nullptr, 10);
}

// Everything open() does to a fresh connection before the statements are prepared; "" or the
// error (without the path, the caller adds it).
std::string prepare_file(sqlite3* db) {
  int rc = SQLITE_OK;
  auto sql_error = [&](const char* what) {
    std::string e = std::string(what) + ": " + sqlite3_errmsg(db);
    if (std::strcmp(sqlite3_errmsg(db), sqlite3_errstr(rc)) != 0)
      e += std::string(" (") + sqlite3_errstr(rc) + ")";
    return e;
  };
  // The first read of the file: a file that is not a database fails here (SQLITE_NOTADB).
  auto app_id = query_int(db, "PRAGMA application_id", rc);
  if (!app_id) return "is not a fedgate presence store: " + sql_error("reading its header");
  auto version = query_int(db, "PRAGMA user_version", rc);
  if (!version) return sql_error("reading its schema version");
  auto objects = query_int(db, "SELECT count(*) FROM sqlite_master", rc);
  if (!objects) return "is not a fedgate presence store: " + sql_error("reading its schema");
  if (*app_id != sqlite_subscription_store::application_id && (*app_id != 0 || *objects != 0)) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08llx",
                  static_cast<unsigned long long>(*app_id) & 0xffffffffu);
    return std::string(
               "is another program's SQLite database, not a fedgate presence store "
               "(application_id ") +
           hex + ", " + std::to_string(*objects) + " schema objects)";
  }
  if (*version > sqlite_subscription_store::schema_version)
    return "has schema version " + std::to_string(*version) +
           ", written by a newer fedgate (this one reads up to version " +
           std::to_string(sqlite_subscription_store::schema_version) + ")";
  auto check = query_text(db, "PRAGMA quick_check", rc);
  if (!check) return "is damaged: " + sql_error("quick_check");
  if (*check != "ok") return "is damaged: quick_check says " + *check;

  // WAL is a property of the file (it stays on for every later connection); the pragma answers
  // the mode it ended in, which is not "wal" where WAL cannot work (no shared memory).
  auto mode = query_text(db, "PRAGMA journal_mode = WAL", rc);
  if (!mode) return sql_error("setting the WAL journal");
  if (*mode != "wal") return "cannot use the WAL journal (the journal mode stayed " + *mode + ")";
  if ((rc = sqlite3_exec(db, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr)) !=
      SQLITE_OK)
    return sql_error("setting synchronous=NORMAL");

  // Migrate under the write lock, reading the version again: another process may have done it.
  if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr)) != SQLITE_OK)
    return sql_error("locking it to migrate");
  version = query_int(db, "PRAGMA user_version", rc);
  if (!version) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return sql_error("reading its schema version");
  }
  for (auto v = *version; v < sqlite_subscription_store::schema_version; ++v) {
    if ((rc = sqlite3_exec(db, migrations[v], nullptr, nullptr, nullptr)) != SQLITE_OK) {
      auto e = sql_error(
          ("migrating schema version " + std::to_string(v) + " to " + std::to_string(v + 1))
              .c_str());
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return e;
    }
  }
  // Pragmas take no parameters; both values are our own constants.
  const std::string stamp =
      "PRAGMA application_id = " + std::to_string(sqlite_subscription_store::application_id) +
      "; PRAGMA user_version = " + std::to_string(sqlite_subscription_store::schema_version);
  if ((rc = sqlite3_exec(db, stamp.c_str(), nullptr, nullptr, nullptr)) != SQLITE_OK ||
      (rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr)) != SQLITE_OK) {
    auto e = sql_error("writing its schema version");
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  return "";
}

}  // namespace

void sqlite_subscription_store::statement_deleter::operator()(sqlite3_stmt* s) const {
  sqlite3_finalize(s);
}

std::unique_ptr<sqlite_subscription_store> sqlite_subscription_store::open(
    const std::filesystem::path& path, std::string& error) {
  // Create the file ourselves: owner-only (subscriptions say who watches whom), and a missing
  // directory or a path that is a directory gets the system's own words rather than SQLite's
  // "unable to open database file".
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "presence store " + quoted(path) + ": cannot open: " + std::strerror(errno);
    return nullptr;
  }
  ::close(fd);

  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    error = "presence store " + quoted(path) +
            ": cannot open: " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return nullptr;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  if (auto e = prepare_file(db); !e.empty()) {
    error = "presence store " + quoted(path) + " " + e;
    sqlite3_close_v2(db);
    return nullptr;
  }

  std::unique_ptr<sqlite_subscription_store> store(new sqlite_subscription_store(path, db));
  struct {
    const char* sql;
    statement* into;
  } const statements[] = {{put_sql, &store->put_},
                          {erase_sql, &store->erase_},
                          {load_sql, &store->load_},
                          {count_sql, &store->count_}};
  for (const auto& [sql, into] : statements) {
    sqlite3_stmt* s = nullptr;
    rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) {
      error = "presence store " + quoted(path) +
              ": preparing a statement failed: " + sqlite3_errmsg(db);
      return nullptr;  // the destructor finalizes what was prepared and closes
    }
    into->reset(s);
  }
  return store;
}

sqlite_subscription_store::sqlite_subscription_store(std::filesystem::path path, sqlite3* db)
    : path_(std::move(path)), describe_("sqlite:" + path_.string()), db_(db) {}

sqlite_subscription_store::~sqlite_subscription_store() {
  put_.reset();
  erase_.reset();
  load_.reset();
  count_.reset();
  // The last connection to close checkpoints the WAL into the file and removes it.
  sqlite3_close_v2(db_);
}

std::string sqlite_subscription_store::failure(const char* what, int rc) const {
  std::string e = describe_ + ": " + what + " failed: " + sqlite3_errmsg(db_);
  if (std::strcmp(sqlite3_errmsg(db_), sqlite3_errstr(rc)) != 0)
    e += std::string(" (") + sqlite3_errstr(rc) + ")";
  return e;
}

std::optional<std::string> sqlite_subscription_store::put(const subscription_record& r) {
  if (auto e = record_error(r)) return describe_ + ": put refused: " + *e;
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite3_stmt* s = put_.get();
  reset_on_exit reset{s};
  sqlite3_bind_int(s, 1, static_cast<int>(r.direction));
  sqlite3_bind_text64(s, 2, r.local.data(), r.local.size(), SQLITE_STATIC, SQLITE_UTF8);
  sqlite3_bind_text64(s, 3, r.remote.data(), r.remote.size(), SQLITE_STATIC, SQLITE_UTF8);
  sqlite3_bind_int(s, 4, static_cast<int>(r.state));
  sqlite3_bind_text64(s, 5, r.sip_dialog.data(), r.sip_dialog.size(), SQLITE_STATIC, SQLITE_UTF8);
  sqlite3_bind_int64(s, 6, r.expires_unix);
  int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE) return failure("put", rc);
  return std::nullopt;
}

std::optional<std::string> sqlite_subscription_store::erase(watch_direction d,
                                                            const std::string& local,
                                                            const std::string& remote) {
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite3_stmt* s = erase_.get();
  reset_on_exit reset{s};
  sqlite3_bind_int(s, 1, static_cast<int>(d));
  sqlite3_bind_text64(s, 2, local.data(), local.size(), SQLITE_STATIC, SQLITE_UTF8);
  sqlite3_bind_text64(s, 3, remote.data(), remote.size(), SQLITE_STATIC, SQLITE_UTF8);
  int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE) return failure("erase", rc);
  return std::nullopt;
}

std::vector<subscription_record> sqlite_subscription_store::load_all() {
  std::vector<subscription_record> out;
  read_all(out);
  return out;
}

std::optional<std::string> sqlite_subscription_store::read_all(
    std::vector<subscription_record>& out) {
  out.clear();
  auto text = [](sqlite3_stmt* s, int col) {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, col)))
             : std::string();
  };
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite3_stmt* s = load_.get();
  reset_on_exit reset{s};
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    subscription_record r;
    r.direction = static_cast<watch_direction>(sqlite3_column_int(s, 0));
    r.local = text(s, 1);
    r.remote = text(s, 2);
    r.state = static_cast<auth_state>(sqlite3_column_int(s, 3));
    r.sip_dialog = text(s, 4);
    r.expires_unix = sqlite3_column_int64(s, 5);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) {
    out.clear();
    return failure("load_all", rc);
  }
  return std::nullopt;
}

std::size_t sqlite_subscription_store::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite3_stmt* s = count_.get();
  reset_on_exit reset{s};
  if (sqlite3_step(s) != SQLITE_ROW) return 0;
  return static_cast<std::size_t>(sqlite3_column_int64(s, 0));
}

std::string sqlite_subscription_store::describe() const {
  return describe_;
}

std::string sqlite_subscription_store::journal_mode() {
  std::lock_guard<std::mutex> lock(mutex_);
  int rc = SQLITE_OK;
  return query_text(db_, "PRAGMA journal_mode", rc).value_or("");
}

int sqlite_subscription_store::synchronous() {
  std::lock_guard<std::mutex> lock(mutex_);
  int rc = SQLITE_OK;
  return static_cast<int>(query_int(db_, "PRAGMA synchronous", rc).value_or(-1));
}

std::unique_ptr<subscription_store> open_sqlite_store(const std::filesystem::path& path,
                                                      std::string& error) {
  return sqlite_subscription_store::open(path, error);
}

}  // namespace fedgate::presence
