// What only the SQLite store does: records survive closing and reopening the file, the file is
// in WAL mode with synchronous=NORMAL and carries its schema version, it is created owner-only,
// and every file it cannot use (not a database, damaged, another program's, a newer schema, a
// missing directory, a directory) gives nullptr and an error naming the path.
#include "actors/presence/sqlite_subscription_store.hpp"

#include <fstream>
#include <sqlite3.h>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace fedgate::presence::testing {
namespace {

using d = watch_direction;
using ::testing::HasSubstr;

std::vector<subscription_record> some_records() {
  return {
      record(d::xmpp_watches_sip, "alice@sip.example", "bob@xmpp.example", auth_state::active,
             "dialog-a", 1700000100),
      record(d::xmpp_watches_sip, "alice@sip.example", "carol@xmpp.example", auth_state::pending),
      record(d::sip_watches_xmpp, "dave@sip.example", "bob@xmpp.example", auth_state::active,
             "dialog-d", 1700000200),
  };
}

// Runs `sql` on its own connection to `path` and gives the first column of the first row.
std::string raw_query(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  std::string out = "<error>";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) ==
      SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
        out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      else if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        out = "";
    }
    sqlite3_finalize(s);
  }
  sqlite3_close_v2(db);
  return out;
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::unique_ptr<sqlite_subscription_store> open_ok(const std::filesystem::path& path) {
  std::string error;
  auto store = sqlite_subscription_store::open(path, error);
  EXPECT_NE(store, nullptr) << error;
  EXPECT_TRUE(error.empty()) << error;
  return store;
}

// open() must fail, and say so naming the path; gives the error.
std::string open_fails(const std::filesystem::path& path) {
  std::string error;
  auto store = open_sqlite_store(path, error);
  EXPECT_EQ(store, nullptr);
  EXPECT_THAT(error, HasSubstr(path.string()));
  return error;
}

TEST(sqlite_subscription_store, records_survive_closing_and_reopening) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  auto records = some_records();
  {
    auto store = open_ok(path);
    ASSERT_NE(store, nullptr);
    for (const auto& r : records)
      ASSERT_EQ(store->put(r), std::nullopt);
    ASSERT_EQ(store->put(record(d::sip_watches_xmpp, "gone@sip.example", "x@xmpp.example")),
              std::nullopt);
    ASSERT_EQ(store->erase(d::sip_watches_xmpp, "gone@sip.example", "x@xmpp.example"),
              std::nullopt);
  }
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load_all(), records);
  EXPECT_EQ(store->size(), records.size());
  // And once more after changing it in the reopened store.
  records[1].state = auth_state::active;
  ASSERT_EQ(store->put(records[1]), std::nullopt);
  store.reset();
  store = open_ok(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load_all(), records);
}

TEST(sqlite_subscription_store, a_second_connection_sees_committed_records_at_once) {
  // Each put is its own committed transaction: nothing waits for a close or a checkpoint.
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  for (const auto& r : some_records())
    ASSERT_EQ(store->put(r), std::nullopt);
  EXPECT_EQ(raw_query(path, "SELECT count(*) FROM subscriptions"), "3");
  auto other = open_ok(path);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->load_all(), some_records());
}

TEST(sqlite_subscription_store, file_is_in_wal_mode_with_synchronous_normal) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->journal_mode(), "wal");
  EXPECT_EQ(store->synchronous(), 1) << "1 = NORMAL";
  // WAL is a property of the file: another connection finds it too.
  EXPECT_EQ(raw_query(path, "PRAGMA journal_mode"), "wal");
  ASSERT_EQ(store->put(some_records()[0]), std::nullopt);
  EXPECT_TRUE(std::filesystem::exists(path.string() + "-wal"));
}

TEST(sqlite_subscription_store, file_carries_schema_version_and_application_id) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  ASSERT_NE(open_ok(path), nullptr);
  EXPECT_EQ(raw_query(path, "PRAGMA user_version"),
            std::to_string(sqlite_subscription_store::schema_version));
  EXPECT_EQ(raw_query(path, "PRAGMA application_id"),
            std::to_string(sqlite_subscription_store::application_id));
}

TEST(sqlite_subscription_store, new_file_is_owner_only_and_describe_names_it) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(store->describe(), "sqlite:" + path.string());
  EXPECT_EQ(store->path(), path);
}

TEST(sqlite_subscription_store, an_existing_empty_file_becomes_a_store) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  write_file(path, "");
  auto store = open_ok(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->put(some_records()[0]), std::nullopt);
}

TEST(sqlite_subscription_store, a_file_that_is_not_a_database_is_refused) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  std::string text;
  for (int i = 0; i < 200; ++i)
    text += "this is a text file, not an SQLite database\n";
  write_file(path, text);
  auto error = open_fails(path);
  EXPECT_THAT(error, HasSubstr("not a fedgate presence store"));
  EXPECT_THAT(error, HasSubstr("not a database"));
  std::ifstream in(path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), text) << "the file is untouched";
}

TEST(sqlite_subscription_store, a_damaged_database_is_refused) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  {
    auto store = open_ok(path);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 300; ++i)  // several pages
      ASSERT_EQ(store->put(record(d::xmpp_watches_sip, "user" + std::to_string(i) + "@sip.example",
                                  "bob@xmpp.example", auth_state::active, std::string(100, 'x'))),
                std::nullopt);
  }  // closing checkpoints everything into the main file
  ASSERT_FALSE(std::filesystem::exists(path.string() + "-wal"));
  auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 4 * 4096u);
  {
    // Keep the 100-byte header (still "SQLite format 3"), overwrite the rest of the first pages.
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(100);
    std::string junk(3 * 4096, '\xa5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  open_fails(path);
}

TEST(sqlite_subscription_store, another_programs_database_is_refused) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "other.db";
  ASSERT_EQ(raw_query(path, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)"), "");
  auto error = open_fails(path);
  EXPECT_THAT(error, HasSubstr("another program"));
  EXPECT_EQ(raw_query(path, "SELECT count(*) FROM sqlite_master WHERE name = 'subscriptions'"), "0")
      << "nothing was added to it";
}

TEST(sqlite_subscription_store, a_newer_schema_version_is_refused) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "presence.db";
  ASSERT_NE(open_ok(path), nullptr);
  ASSERT_EQ(raw_query(path, "PRAGMA user_version = 99"), "");
  auto error = open_fails(path);
  EXPECT_THAT(error, HasSubstr("schema version 99"));
  EXPECT_THAT(error, HasSubstr("newer fedgate"));
}

TEST(sqlite_subscription_store, a_directory_that_does_not_exist_is_an_error) {
  fedgate::testing::temp_dir dir;
  auto path = dir.path() / "no-such-dir" / "presence.db";
  auto error = open_fails(path);
  EXPECT_THAT(error, HasSubstr("No such file or directory"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "no-such-dir")) << "it is not created";
}

TEST(sqlite_subscription_store, a_path_that_is_a_directory_is_an_error) {
  fedgate::testing::temp_dir dir;
  auto error = open_fails(dir.path());
  EXPECT_THAT(error, HasSubstr("Is a directory"));
}

TEST(sqlite_subscription_store, open_sqlite_store_gives_the_same_store) {
  fedgate::testing::temp_dir dir;
  std::string error;
  auto store = open_sqlite_store(dir.path() / "presence.db", error);
  ASSERT_NE(store, nullptr) << error;
  EXPECT_NE(dynamic_cast<sqlite_subscription_store*>(store.get()), nullptr);
  EXPECT_EQ(store->describe(), "sqlite:" + (dir.path() / "presence.db").string());
}

}  // namespace
}  // namespace fedgate::presence::testing
