// Tests for Cells: a record's cells in one buffer, however they were built.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "leadfunnel/cells.hpp"

using leadfunnel::Cells;

TEST_CASE("cells: cells pushed one by one read back as pushed, empty ones too", "[cells]") {
  Cells c;
  CHECK(c.empty());
  c.push_back("1");
  c.push_back("");
  c.push_back("Ana Souza");
  c.push_back("");
  REQUIRE(c.size() == 4);
  CHECK(c[0] == "1");
  CHECK(c[1].empty());
  CHECK(c[2] == "Ana Souza");
  CHECK(c[3].empty());
  CHECK(c.back().empty());
  CHECK(c.strings() == std::vector<std::string>{"1", "", "Ana Souza", ""});
  CHECK_THROWS_AS(c.at(4), std::out_of_range);
  c.pop_back();
  CHECK(c == std::vector<std::string>{"1", "", "Ana Souza"});
  c.truncate(1);
  CHECK(c == std::vector<std::string>{"1"});
  c.push_back("x");
  CHECK(c == std::vector<std::string>{"1", "x"});
  c.pop_back();
  c.pop_back();
  CHECK(c.empty());
  c.push_back("again");
  CHECK(c == std::vector<std::string>{"again"});
}

TEST_CASE("cells: a line cut at its delimiters equals the same cells pushed one by one", "[cells]") {
  const std::string line = "10,Ana,,a@example.com,";
  Cells cut;
  cut.set_line(line);
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == ',') cut.cut_at(i);
  cut.cut_at(line.size());
  const Cells pushed{"10", "Ana", "", "a@example.com", ""};
  CHECK(cut == pushed);
  CHECK(cut.size() == 5);
  CHECK(fmt::format("{}", fmt::join(cut, "|")) == "10|Ana||a@example.com|");
  // Built piece by piece, as the CSV reader builds quoted cells.
  Cells built;
  for (const char* piece : {"10", "Ana", "", "a@example.com", ""}) {
    std::string& text = built.begin_cell();
    text += piece;
    CHECK(built.open_size() == std::string(piece).size());
    built.end_cell();
  }
  CHECK(built == pushed);
  // Reused for a shorter line: nothing of the longer one is left.
  const std::string shorter = "7";
  cut.set_line(shorter);
  cut.cut_at(shorter.size());
  CHECK(cut == std::vector<std::string>{"7"});
  CHECK_FALSE(cut == pushed);
}

TEST_CASE("cells: swap exchanges every cell", "[cells]") {
  Cells a{"1", "2"}, b{"x"};
  a.swap(b);
  CHECK(a == std::vector<std::string>{"x"});
  CHECK(b == std::vector<std::string>{"1", "2"});
}

TEST_CASE("cells: cells assigned at once equal the same cells pushed one by one, and replace what was there",
          "[cells]") {
  const std::vector<std::vector<std::string_view>> cases{
      {}, {""}, {"", ""}, {"a"}, {"id", "", "2024-01-05", ""}, {"", "x", "long value with spaces, and commas"}};
  Cells reused{"old", "cells", "first"};
  for (const auto& views : cases) {
    Cells pushed;
    for (auto v : views) pushed.push_back(v);
    reused.assign(views);
    INFO(fmt::format("cells: [{}]", fmt::join(views, "|")));
    CHECK(reused == pushed);
    CHECK(reused.size() == views.size());
    for (std::size_t i = 0; i < views.size(); ++i) CHECK(reused[i] == views[i]);
  }
}

TEST_CASE("cells: cuts written into the room for them equal the same cuts made one by one", "[cells]") {
  const std::string line = "1,Ana,,x@example.com,Referrals,2024-12-05T05:38:07Z";
  std::vector<std::size_t> commas;
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == ',') commas.push_back(i);
  Cells one_by_one;
  one_by_one.start_line();
  for (const std::size_t c : commas) one_by_one.cut_at(c);
  one_by_one.cut_at(line.size());
  one_by_one.end_line(line);
  // Written in two steps, as the 64-byte scan writes a step's cuts, into a
  // row that held a wider record before: nothing of it is left.
  Cells bulk{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"};
  bulk.start_line();
  std::size_t* room = bulk.cut_room(2);
  room[0] = commas[0];
  room[1] = commas[1];
  bulk.cuts_made(2);
  room = bulk.cut_room(commas.size() - 2);
  for (std::size_t i = 2; i < commas.size(); ++i) *room++ = commas[i];
  bulk.cuts_made(commas.size() - 2);
  CHECK(bulk.end_of(bulk.size() - 1) == commas.back());
  bulk.cut_at(line.size());
  bulk.end_line(line);
  CHECK(bulk == one_by_one);
  CHECK(bulk.size() == 6);
  CHECK(bulk[5] == "2024-12-05T05:38:07Z");
  // More room than a row ever held before grows the storage, and keeps the cuts made.
  Cells wide;
  wide.start_line();
  wide.cut_at(0);
  std::size_t* many = wide.cut_room(1000);
  for (std::size_t i = 0; i < 1000; ++i) many[i] = i + 1;
  wide.cuts_made(1000);
  CHECK(wide.size() == 1001);
  wide.end_line(std::string(1000, ','));
  CHECK(wide[0].empty());
  CHECK(wide[1000].empty());
  // A copy has the same cells, whatever room the original kept.
  const Cells copy = bulk;
  CHECK(copy == one_by_one);
}
