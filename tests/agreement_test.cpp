// Tests for the agreement file and the stage rules it defines.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "leadfunnel/agreement.hpp"
#include "leadfunnel/error.hpp"

namespace leadfunnel {
namespace {

using Values = std::vector<std::string>;

/// Parses `text` expecting an AgreementError, and returns its message.
std::string agreement_error(const std::string& text) {
  try {
    (void)parse_agreement(text, "team.json");
  } catch (const AgreementError& e) {
    CHECK(e.code() == ExitCode::Config);
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::StartsWith("team.json: "));
    return msg;
  }
  FAIL("expected AgreementError for: " << text);
  return {};
}

/// The column the agreement maps `f` to, or "" when it does not.
std::string column_for(const Agreement& a, Field f) {
  for (const auto& [field, column] : a.columns)
    if (field == f) return column;
  return {};
}

const std::vector<StageRule>& rules(const Agreement& a, Stage s) { return a.stage_rules[static_cast<std::size_t>(s)]; }

}  // namespace

TEST_CASE("agreement: a full file with comments parses", "[agreement]") {
  const std::string text = R"({
  // Zone of the exporting user.
  "timezone": "America/Sao_Paulo",
  /* How long a lead has to convert.
     Ninety days. */
  "window": "90d",
  "columns": {
    "id": "Record ID",          // unique id
    "created_at": "Create Date",
    "status": "Lead Status"
  },
  "stages": {
    "prospect": [
      { "column": "Lead Status", "in": ["Connected", "Qualified"] },
      { "flag": "Is SQL" }
    ],
    "won": { "flag": "Customer" },
    "mql": { "column": "Lifecycle", "in": ["MQL"] }
  }
})";
  const Agreement a = parse_agreement(text, "team.json");
  CHECK(a.path == "team.json");
  REQUIRE(a.timezone.has_value());
  CHECK(*a.timezone == "America/Sao_Paulo");
  REQUIRE(a.window.has_value());
  // 90 * 86 400 000 ms.
  CHECK(a.window->count() == 7'776'000'000LL);

  CHECK(a.columns.size() == 3);
  CHECK(column_for(a, Field::Id) == "Record ID");
  CHECK(column_for(a, Field::CreatedAt) == "Create Date");
  CHECK(column_for(a, Field::Status) == "Lead Status");
  CHECK(column_for(a, Field::Owner).empty());

  const auto& prospect = rules(a, Stage::Prospect);
  REQUIRE(prospect.size() == 2);
  CHECK(prospect[0].column == "Lead Status");
  CHECK(prospect[0].values == Values{"Connected", "Qualified"});
  CHECK_FALSE(prospect[0].flag);
  CHECK(prospect[1].column == "Is SQL");
  CHECK(prospect[1].flag);
  CHECK(prospect[1].values.empty());

  const auto& won = rules(a, Stage::Won);
  REQUIRE(won.size() == 1);
  CHECK(won[0].column == "Customer");
  CHECK(won[0].flag);

  const auto& mql = rules(a, Stage::Mql);
  REQUIRE(mql.size() == 1);
  CHECK(mql[0].column == "Lifecycle");
  CHECK(mql[0].values == Values{"MQL"});

  CHECK(rules(a, Stage::Lead).empty());
  CHECK(rules(a, Stage::Handoff).empty());
  CHECK(rules(a, Stage::Opportunity).empty());
}

TEST_CASE("agreement: an empty object sets nothing", "[agreement]") {
  const Agreement a = parse_agreement("{ /* nothing yet */ }", "team.json");
  CHECK_FALSE(a.timezone.has_value());
  CHECK_FALSE(a.window.has_value());
  CHECK(a.columns.empty());
  for (const auto& r : a.stage_rules) CHECK(r.empty());
}

TEST_CASE("agreement: the bundled sample agreement loads", "[agreement]") {
  const Agreement a = load_agreement(std::string(LEADFUNNEL_SOURCE_DIR) + "/data/agreement.json");
  REQUIRE(a.timezone.has_value());
  CHECK(*a.timezone == "America/New_York");
  CHECK_FALSE(a.window.has_value());
  CHECK(column_for(a, Field::Id) == "Record ID");
  CHECK(column_for(a, Field::Owner) == "Contact owner");
  CHECK(column_for(a, Field::LostAt).empty());
  const auto& prospect = rules(a, Stage::Prospect);
  REQUIRE(prospect.size() == 1);
  CHECK(prospect[0].column == "Lead Status");
  CHECK(prospect[0].values == Values{"Connected"});
}

TEST_CASE("agreement: a missing file is an AgreementError naming the path", "[agreement]") {
  const std::string path = std::string(LEADFUNNEL_SOURCE_DIR) + "/tests/fixtures/no-such-agreement.json";
  try {
    (void)load_agreement(path);
    FAIL("expected AgreementError");
  } catch (const AgreementError& e) {
    CHECK(e.code() == ExitCode::Config);
    CHECK_THAT(std::string(e.what()), Catch::Contains(path));
  }
}

TEST_CASE("agreement: an unknown top-level key names the key and suggests the fix", "[agreement]") {
  SECTION("a typo gets a did-you-mean") {
    const std::string msg = agreement_error(R"({"timezon": "UTC"})");
    CHECK_THAT(msg, Catch::Contains("\"timezon\""));
    CHECK_THAT(msg, Catch::Contains("did you mean \"timezone\""));
  }
  SECTION("keys are case-sensitive, and the suggestion shows the right case") {
    const std::string msg = agreement_error(R"({"Timezone": "UTC"})");
    CHECK_THAT(msg, Catch::Contains("\"Timezone\"") && Catch::Contains("did you mean \"timezone\""));
  }
  SECTION("a far key lists the known keys") {
    const std::string msg = agreement_error(R"({"currency": "USD"})");
    CHECK_THAT(msg, Catch::Contains("\"currency\""));
    CHECK_THAT(msg, !Catch::Contains("did you mean"));
    CHECK_THAT(msg, Catch::Contains("timezone") && Catch::Contains("window") && Catch::Contains("columns") &&
                        Catch::Contains("stages"));
  }
}

TEST_CASE("agreement: an unknown field in columns names it and suggests the fix", "[agreement]") {
  const std::string msg = agreement_error(R"({"columns": {"create_at": "Create Date"}})");
  CHECK_THAT(msg, Catch::Contains("\"create_at\""));
  CHECK_THAT(msg, Catch::Contains("did you mean \"created_at\""));
  CHECK_THAT(msg, Catch::Contains("columns"));
  SECTION("field names are the canonical lowercase ones") {
    const std::string upper = agreement_error(R"({"columns": {"ID": "Record ID"}})");
    CHECK_THAT(upper, Catch::Contains("\"ID\"") && Catch::Contains("did you mean \"id\""));
  }
}

TEST_CASE("agreement: columns must map to strings in an object", "[agreement]") {
  SECTION("not an object") { CHECK_THAT(agreement_error(R"({"columns": ["id"]})"), Catch::Contains("columns")); }
  SECTION("a non-string column name") {
    CHECK_THAT(agreement_error(R"({"columns": {"id": 7}})"), Catch::Contains("\"id\"") && Catch::Contains("string"));
  }
}

TEST_CASE("agreement: an unknown stage names it and suggests the fix", "[agreement]") {
  SECTION("a typo") {
    const std::string msg = agreement_error(R"({"stages": {"prospekt": {"flag": "SQL"}}})");
    CHECK_THAT(msg, Catch::Contains("\"prospekt\""));
    CHECK_THAT(msg, Catch::Contains("did you mean \"prospect\""));
  }
  SECTION("a word that is no stage") {
    CHECK_THAT(agreement_error(R"({"stages": {"customer": {"flag": "Won"}}})"), Catch::Contains("\"customer\""));
  }
  SECTION("lead cannot have rules: every row is a lead") {
    CHECK_THAT(agreement_error(R"({"stages": {"lead": {"flag": "Is Lead"}}})"), Catch::Contains("\"lead\""));
  }
}

TEST_CASE("agreement: a bad timezone names the value and the fix", "[agreement]") {
  SECTION("unknown zone") {
    const std::string msg = agreement_error(R"({"timezone": "America/Sao Paulo"})");
    CHECK_THAT(msg, Catch::Contains("timezone"));
    CHECK_THAT(msg, Catch::Contains("America/Sao Paulo"));
    CHECK_THAT(msg, Catch::Contains("IANA"));
  }
  SECTION("not a string") {
    CHECK_THAT(agreement_error(R"({"timezone": -3})"), Catch::Contains("timezone") && Catch::Contains("string"));
  }
}

TEST_CASE("agreement: a bad window names the value and the fix", "[agreement]") {
  SECTION("not a duration") {
    const std::string msg = agreement_error(R"({"window": "ninety days"})");
    CHECK_THAT(msg, Catch::Contains("window"));
    CHECK_THAT(msg, Catch::Contains("ninety days"));
    CHECK_THAT(msg, Catch::Contains("90d"));
  }
  SECTION("zero") { CHECK_THAT(agreement_error(R"({"window": "0d"})"), Catch::Contains("\"0d\"")); }
  SECTION("a bare number") { CHECK_THAT(agreement_error(R"({"window": 90})"), Catch::Contains("window")); }
}

TEST_CASE("agreement: a rule must use one of the two forms", "[agreement]") {
  SECTION("column without in") {
    const std::string msg = agreement_error(R"({"stages": {"prospect": {"column": "Lead Status"}}})");
    CHECK_THAT(msg, Catch::Contains("\"in\""));
    CHECK_THAT(msg, Catch::Contains("prospect"));
  }
  SECTION("in without column") {
    CHECK_THAT(agreement_error(R"({"stages": {"won": {"in": ["Won"]}}})"), Catch::Contains("\"column\""));
  }
  SECTION("flag mixed with column") {
    const std::string msg =
        agreement_error(R"({"stages": {"won": {"flag": "Customer", "column": "Status"}}})");
    CHECK_THAT(msg, Catch::Contains("\"flag\"") && Catch::Contains("\"column\""));
    CHECK_THAT(msg, Catch::Contains("won"));
  }
  SECTION("an empty in list") {
    CHECK_THAT(agreement_error(R"({"stages": {"mql": {"column": "Lifecycle", "in": []}}})"),
               Catch::Contains("mql") && Catch::Contains(".in"));
  }
  SECTION("in values must be strings") {
    CHECK_THAT(agreement_error(R"({"stages": {"mql": {"column": "Lifecycle", "in": ["MQL", 2]}}})"),
               Catch::Contains("string"));
  }
  SECTION("an unknown key in a rule gets a did-you-mean") {
    const std::string msg = agreement_error(R"({"stages": {"won": {"colum": "Status", "in": ["Won"]}}})");
    CHECK_THAT(msg, Catch::Contains("\"colum\"") && Catch::Contains("did you mean \"column\""));
  }
  SECTION("a rule that is not an object, inside an array, names its index") {
    const std::string msg = agreement_error(R"({"stages": {"prospect": [{"flag": "SQL"}, "Connected"]}})");
    CHECK_THAT(msg, Catch::Contains("prospect") && Catch::Contains("[1]"));
  }
}

TEST_CASE("agreement: the root must be a JSON object", "[agreement]") {
  std::string text;
  SECTION("array") { text = R"([{"timezone": "UTC"}])"; }
  SECTION("number") { text = "42"; }
  SECTION("string") { text = R"("UTC")"; }
  CHECK_THAT(agreement_error(text), Catch::Contains("object"));
}

TEST_CASE("agreement: invalid JSON is an AgreementError that says so", "[agreement]") {
  std::string text;
  SECTION("missing value") { text = R"({"timezone": })"; }
  SECTION("trailing comma") { text = R"({"timezone": "UTC",})"; }
  SECTION("unclosed comment") { text = R"({"timezone": "UTC" /* oops )"; }
  SECTION("empty") { text = ""; }
  const std::string msg = agreement_error(text);
  CHECK_THAT(msg, Catch::Contains("JSON"));
}

TEST_CASE("agreement: is_truthy accepts the usual yes words", "[agreement]") {
  for (const char* v : {"1", "true", "TRUE", "True", "yes", "Yes", "y", "Y", "sim", "SIM", "x", "X", "  yes  ", "true\r\n"}) {
    INFO("value: '" << v << "'");
    CHECK(is_truthy(v));
  }
}

TEST_CASE("agreement: is_truthy rejects no words, blanks and other text", "[agreement]") {
  for (const char* v : {"0", "false", "FALSE", "no", "No", "n", "nao", "", "   ", "2", "yess", "truthy", "-1"}) {
    INFO("value: '" << v << "'");
    CHECK_FALSE(is_truthy(v));
  }
}

TEST_CASE("agreement: rule_matches compares trimmed and case-insensitive values", "[agreement]") {
  StageRule rule;
  rule.column = "Lead Status";
  rule.values = {" Connected ", "Qualified"};
  SECTION("matches") {
    CHECK(rule_matches(rule, "Connected"));
    CHECK(rule_matches(rule, "connected"));
    CHECK(rule_matches(rule, "  CONNECTED\t"));
    CHECK(rule_matches(rule, "qualified"));
  }
  SECTION("no partial or empty matches") {
    CHECK_FALSE(rule_matches(rule, "Connect"));
    CHECK_FALSE(rule_matches(rule, "Connected Later"));
    CHECK_FALSE(rule_matches(rule, "Qualified Lead"));
    CHECK_FALSE(rule_matches(rule, ""));
    CHECK_FALSE(rule_matches(rule, "   "));
  }
  SECTION("an empty wanted value does not match a blank cell") {
    StageRule blank;
    blank.column = "Status";
    blank.values = {""};
    CHECK_FALSE(rule_matches(blank, ""));
  }
}

TEST_CASE("agreement: a flag rule matches truthy values only", "[agreement]") {
  StageRule rule;
  rule.column = "Converted";
  rule.flag = true;
  CHECK(rule_matches(rule, "Yes"));
  CHECK(rule_matches(rule, " 1 "));
  CHECK(rule_matches(rule, "x"));
  CHECK_FALSE(rule_matches(rule, "No"));
  CHECK_FALSE(rule_matches(rule, "0"));
  CHECK_FALSE(rule_matches(rule, ""));
}

}  // namespace leadfunnel

TEST_CASE("agreement: ColumnRules answers as rule_matches for every stage's rules on a column", "[agreement]") {
  using namespace leadfunnel;
  // Values built from a few pieces: case, spaces, tabs, lengths near each
  // other, bytes outside ASCII, an empty wanted value, flag rules, the same
  // wanted value in two stages, and several rules of one stage.
  const std::vector<std::string> pieces{"a", "A", "b", " ", "\t", "\xC3\xA7", "Sim", "yes", "1", "x", "qualified"};
  std::uint64_t s = 7;
  auto next = [&](std::size_t n) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((s >> 33) % n);
  };
  auto text = [&] {
    std::string t;
    for (std::size_t k = next(5); k > 0; --k) t += pieces[next(pieces.size())];
    return t;
  };
  for (int c = 0; c < 300; ++c) {
    std::vector<std::pair<std::size_t, StageRule>> rules;
    for (std::size_t r = 1 + next(4); r > 0; --r) {
      StageRule rule;
      rule.column = "c";
      rule.flag = next(6) == 0;
      for (std::size_t k = next(4); k > 0; --k)
        rule.values.push_back(!rules.empty() && next(4) == 0 && !rules.back().second.values.empty()
                                  ? rules.back().second.values.front()
                                  : text());
      rules.emplace_back(next(6), rule);
    }
    ColumnRules matches;
    for (const auto& [stage, rule] : rules) matches.add(stage, rule);
    for (int v = 0; v < 60; ++v) {
      const auto& some = rules[next(rules.size())].second;
      const std::string value = v % 3 == 0 && !some.values.empty() ? " " + some.values[next(some.values.size())] : text();
      std::uint32_t want = 0;
      for (const auto& [stage, rule] : rules)
        if (rule_matches(rule, value)) want |= std::uint32_t{1} << stage;
      INFO("case " << c << ", value '" << value << "'");
      CHECK(matches(value) == want);
    }
  }
}

TEST_CASE("agreement: ColumnRules gives every stage that wants a value, and none for a blank", "[agreement]") {
  using namespace leadfunnel;
  ColumnRules rules;
  rules.add(2, StageRule{"Lifecycle Stage", {"Sales Qualified Lead", "Opportunity"}, false});
  rules.add(3, StageRule{"Lifecycle Stage", {" opportunity "}, false});
  rules.add(5, StageRule{"Lifecycle Stage", {"Customer", ""}, false});
  CHECK(rules("OPPORTUNITY") == ((1u << 2) | (1u << 3)));
  CHECK(rules(" sales qualified lead\t") == (1u << 2));
  CHECK(rules("Customer") == (1u << 5));
  CHECK(rules("Customers") == 0);
  CHECK(rules("") == 0);
  CHECK(rules("   ") == 0);
  ColumnRules flags;
  flags.add(1, StageRule{"Is MQL", {}, true});
  flags.add(4, StageRule{"Is MQL", {"yes"}, false});
  CHECK(flags(" Yes ") == ((1u << 1) | (1u << 4)));
  CHECK(flags("1") == (1u << 1));
  CHECK(flags("no") == 0);
}
