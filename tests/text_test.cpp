// Tests for the small text helpers.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <unordered_set>
#include <string>
#include <string_view>

#include "leadfunnel/text.hpp"

TEST_CASE("text: every placeholder means no value, in any case and with spaces around it", "[text]") {
  using leadfunnel::is_placeholder;
  for (const char* p : {"", " ", "-", "--", "n/a", "N/A", "#N/A", "#n/a", "na", "NA", "null", "NULL", "(No value)",
                        "(no value)", "Select", "SELECT", "(none)", "None", "NONE", "(blank)", "(BLANK)", "\tnull ",
                        "  -  "}) {
    INFO("'" << p << "'");
    CHECK(is_placeholder(p));
  }
}

TEST_CASE("text: values that only look like placeholders are values", "[text]") {
  using leadfunnel::is_placeholder;
  for (const char* v : {"0", "1", "---", "n/a/", "nan", "nul", "nulls", "Selected", "(none", "none)", "(blanks)",
                        "(no value", "(no  value)", "Nancy", "Sales", "#1", "(a)", "Referrals", "2026-01-01",
                        "n", "s", "#"}) {
    INFO("'" << v << "'");
    CHECK_FALSE(is_placeholder(v));
  }
}

namespace {

/// Whether `hash` gives a different value to each of: "a" repeated 0 to 40
/// times, and each of those with one byte changed to "b".
template <class Hash>
bool hashes_every_one_byte_change_apart(Hash hash) {
  std::set<std::uint64_t> seen;
  std::size_t made = 0;
  for (std::size_t len = 0; len <= 40; ++len) {
    const std::string base(len, 'a');
    seen.insert(hash(base));
    ++made;
    for (std::size_t i = 0; i < len; ++i) {
      std::string changed = base;
      changed[i] = 'b';
      seen.insert(hash(changed));
      ++made;
    }
  }
  return seen.size() == made;
}

}  // namespace

TEST_CASE("text: same_text tells texts apart by any byte and by length, and equal texts alike", "[text]") {
  using leadfunnel::same_text;
  for (std::size_t len = 0; len <= 40; ++len) {
    const std::string base(len, 'a');
    CHECK(same_text(base, std::string(len, 'a')));
    CHECK_FALSE(same_text(base, std::string(len + 1, 'a')));
    for (std::size_t i = 0; i < len; ++i) {
      std::string changed = base;
      changed[i] = 'b';
      INFO("length " << len << ", byte " << i);
      CHECK_FALSE(same_text(base, changed));
      CHECK(same_text(changed, std::string_view(changed)));
    }
  }
  CHECK(same_text("createdate", std::string("create") + "date"));
  CHECK_FALSE(same_text(std::string("ab\0", 3), std::string("ab\1", 3)));
}

TEST_CASE("text: hash_text gives equal text equal hashes and a change in any byte another hash", "[text]") {
  using leadfunnel::hash_text;
  CHECK(hash_text("Organic Search") == hash_text(std::string("Organic ") + "Search"));
  CHECK(hash_text("") == hash_text(std::string_view()));
  // Text that only differs by one byte, by trailing NULs or by its length differs too.
  CHECK(hashes_every_one_byte_change_apart([](std::string_view s) { return hash_text(s); }));
  CHECK(hash_text(std::string("ab\0", 3)) != hash_text("ab"));
  // Low bits (what a hash table with few buckets uses) spread over 1,000 owner names.
  std::set<std::size_t> low;
  for (int i = 0; i < 1000; ++i) low.insert(hash_text("Owner " + std::to_string(i)) & 1023);
  CHECK(low.size() > 550);
}

TEST_CASE("text: hash_id gives 300,000 ids of each shape CRMs export 300,000 hashes", "[text]") {
  // Ids that share a hash would be taken for duplicates: count collisions on
  // the shapes CRMs export (sequential record ids, emails that differ by one
  // digit), and on every one-byte change of texts of length 0 to 40.
  using leadfunnel::hash_id;
  for (const char* prefix : {"", "lead-", "someone.", "0000000000000000"}) {
    std::unordered_set<std::uint64_t> seen;
    for (int i = 0; i < 300'000; ++i) seen.insert(hash_id(prefix + std::to_string(10'000'000 + i) + "@x.io"));
    CHECK(seen.size() == 300'000);
  }
  CHECK(hashes_every_one_byte_change_apart([](std::string_view s) { return hash_id(s); }));
}
