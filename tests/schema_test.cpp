// Tests for header normalisation, column lookup and the automatic column mapping.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "leadfunnel/schema.hpp"

namespace leadfunnel {
namespace {

using Columns = std::vector<std::string>;

/// The column index bound to `f`, or -1 when the field is unbound.
long bound(const ColumnMapping& m, Field f) {
  const auto& b = m[f];
  return b ? static_cast<long>(b->column) : -1L;
}

}  // namespace

TEST_CASE("schema: normalize_header lowercases and drops separators and quotes", "[schema]") {
  CHECK(normalize_header("Lead_ID") == "leadid");
  CHECK(normalize_header("Create Date") == "createdate");
  CHECK(normalize_header("created-at") == "createdat");
  CHECK(normalize_header("Lead.Source") == "leadsource");
  CHECK(normalize_header("\"Owner's name\"") == "ownersname");
  CHECK(normalize_header("Lead\tStatus") == "leadstatus");
  CHECK(normalize_header("  ID  ") == "id");
  CHECK(normalize_header("") == "");
  SECTION("digits and other punctuation stay") {
    CHECK(normalize_header("Original Source Drill-Down 1") == "originalsourcedrilldown1");
    CHECK(normalize_header("Amount (USD)") == "amount(usd)");
  }
}

TEST_CASE("schema: field and stage names round-trip", "[schema]") {
  CHECK(field_name(Field::CreatedAt) == "created_at");
  CHECK(field_name(Field::FirstTouchAt) == "first_touch_at");
  CHECK(field_from_name("prospect_at") == Field::ProspectAt);
  CHECK_FALSE(field_from_name("Prospect_At").has_value());
  CHECK_FALSE(field_from_name("prospect").has_value());
  for (Field f : all_fields()) CHECK(field_from_name(field_name(f)) == f);
  CHECK(stage_name(Stage::Opportunity) == "opportunity");
  CHECK(stage_from_name("won") == Stage::Won);
  CHECK_FALSE(stage_from_name("customer").has_value());
  CHECK(stage_field(Stage::Lead) == Field::CreatedAt);
  CHECK(stage_field(Stage::Prospect) == Field::ProspectAt);
  CHECK(is_timestamp_field(Field::LostAt));
  CHECK_FALSE(is_timestamp_field(Field::Owner));
}

TEST_CASE("schema: find_column prefers an exact name over a normalized one", "[schema]") {
  const Columns cols{"Lead ID", "lead_id", "Name"};
  SECTION("exact match wins even though two columns normalize alike") {
    CHECK(find_column(cols, "lead_id") == std::optional<std::size_t>{1});
    CHECK(find_column(cols, "Lead ID") == std::optional<std::size_t>{0});
  }
  SECTION("a normalized match that is ambiguous finds nothing") {
    CHECK_FALSE(find_column(cols, "LEAD-ID").has_value());
  }
  SECTION("a normalized match that is unique is found") {
    CHECK(find_column(cols, "NAME") == std::optional<std::size_t>{2});
    CHECK(find_column(Columns{"Create Date", "Email"}, "create_date") == std::optional<std::size_t>{0});
  }
  SECTION("no match") { CHECK_FALSE(find_column(cols, "Email").has_value()); }
  SECTION("no columns") { CHECK_FALSE(find_column(Columns{}, "id").has_value()); }
}

TEST_CASE("schema: map_columns auto-detects HubSpot labels", "[schema]") {
  const Columns cols{"Record ID",
                     "First Name",
                     "Create Date",
                     "Original Source",
                     "Original Source Drill-Down 1",
                     "Contact owner",
                     "Became a Marketing Qualified Lead Date",
                     "Became a Sales Qualified Lead Date",
                     "Lead Status"};
  const ColumnMapping m = map_columns(cols, {});
  CHECK(bound(m, Field::Id) == 0);
  CHECK(bound(m, Field::CreatedAt) == 2);
  CHECK(bound(m, Field::Source) == 3);
  CHECK(bound(m, Field::Owner) == 5);
  CHECK(bound(m, Field::MqlAt) == 6);
  CHECK(bound(m, Field::ProspectAt) == 7);
  CHECK(bound(m, Field::Status) == 8);
  SECTION("fields without a matching column stay unbound") {
    CHECK(bound(m, Field::Campaign) == -1);
    CHECK(bound(m, Field::WonAt) == -1);
    CHECK(bound(m, Field::LostAt) == -1);
  }
  SECTION("every auto binding says so") {
    for (Field f : all_fields())
      if (m[f]) CHECK(m[f]->origin == MappingOrigin::Auto);
  }
}

TEST_CASE("schema: map_columns matches plain snake_case names", "[schema]") {
  const Columns cols{"id", "created_at", "prospect_at", "source", "campaign", "owner", "status"};
  const ColumnMapping m = map_columns(cols, {});
  CHECK(bound(m, Field::Id) == 0);
  CHECK(bound(m, Field::CreatedAt) == 1);
  CHECK(bound(m, Field::ProspectAt) == 2);
  CHECK(bound(m, Field::Source) == 3);
  CHECK(bound(m, Field::Campaign) == 4);
  CHECK(bound(m, Field::Owner) == 5);
  CHECK(bound(m, Field::Status) == 6);
}

TEST_CASE("schema: an ambiguous automatic match leaves the field unbound", "[schema]") {
  SECTION("two spellings of the same name") {
    // "Lead ID" and "lead_id" both normalize to "leadid".
    const ColumnMapping m = map_columns(Columns{"Lead ID", "lead_id", "Create Date"}, {});
    CHECK(bound(m, Field::Id) == -1);
    CHECK(bound(m, Field::CreatedAt) == 2);
  }
  SECTION("two different synonyms of one field") {
    // "source" and "channel" are both Source synonyms.
    const ColumnMapping m = map_columns(Columns{"id", "source", "channel"}, {});
    CHECK(bound(m, Field::Id) == 0);
    CHECK(bound(m, Field::Source) == -1);
  }
}

TEST_CASE("schema: a request overrides auto-detection", "[schema]") {
  const Columns cols{"Record ID", "Email", "Create Date"};
  SECTION("the requested column wins over the auto-detected one") {
    const ColumnMapping m = map_columns(cols, {ColumnRequest{Field::Id, "Email", MappingOrigin::CommandLine}});
    CHECK(bound(m, Field::Id) == 1);
    REQUIRE(m[Field::Id].has_value());
    CHECK(m[Field::Id]->origin == MappingOrigin::CommandLine);
    CHECK(bound(m, Field::CreatedAt) == 2);
    CHECK(m[Field::CreatedAt]->origin == MappingOrigin::Auto);
  }
  SECTION("a request is matched by normalized name too") {
    const ColumnMapping m = map_columns(cols, {ColumnRequest{Field::Id, "email", MappingOrigin::Agreement}});
    CHECK(bound(m, Field::Id) == 1);
    CHECK(m[Field::Id]->origin == MappingOrigin::Agreement);
  }
  SECTION("a request for a missing column is ignored") {
    const ColumnMapping m = map_columns(cols, {ColumnRequest{Field::Id, "Lead Key", MappingOrigin::CommandLine}});
    CHECK(bound(m, Field::Id) == 0);
    CHECK(m[Field::Id]->origin == MappingOrigin::Auto);
  }
  SECTION("later requests win") {
    const ColumnMapping m = map_columns(cols, {ColumnRequest{Field::Id, "Email", MappingOrigin::Agreement},
                                               ColumnRequest{Field::Id, "Record ID", MappingOrigin::CommandLine}});
    CHECK(bound(m, Field::Id) == 0);
    CHECK(m[Field::Id]->origin == MappingOrigin::CommandLine);
  }
}

TEST_CASE("schema: a column taken by a request is not auto-bound to another field", "[schema]") {
  SECTION("the field that would have matched it stays unbound") {
    // "Contact owner" would auto-bind to owner, but the request takes it for campaign.
    const ColumnMapping m = map_columns(Columns{"Record ID", "Contact owner"},
                                        {ColumnRequest{Field::Campaign, "Contact owner", MappingOrigin::Agreement}});
    CHECK(bound(m, Field::Campaign) == 1);
    CHECK(bound(m, Field::Owner) == -1);
    CHECK(bound(m, Field::Id) == 0);
  }
  SECTION("taking one of two candidates makes the other unambiguous") {
    // Without the request, "source" and "channel" are ambiguous for source; the
    // request takes "source" for campaign, leaving "channel" as the only match.
    const ColumnMapping m =
        map_columns(Columns{"id", "source", "channel"}, {ColumnRequest{Field::Campaign, "source", MappingOrigin::CommandLine}});
    CHECK(bound(m, Field::Campaign) == 1);
    CHECK(bound(m, Field::Source) == 2);
    CHECK(m[Field::Source]->origin == MappingOrigin::Auto);
  }
}

TEST_CASE("schema: closest_match suggests a likely typo and nothing for a far word", "[schema]") {
  const std::vector<std::string> cands{"Record ID", "Create Date", "Contact owner", "Lead Status"};
  SECTION("one letter missing") {
    // "Creat Date" -> "Create Date" is one insertion.
    CHECK(closest_match("Creat Date", cands) == std::optional<std::string>{"Create Date"});
  }
  SECTION("case is ignored and the candidate's own spelling is returned") {
    CHECK(closest_match("CREATE DATE", cands) == std::optional<std::string>{"Create Date"});
  }
  SECTION("a far word gives nothing") {
    CHECK_FALSE(closest_match("revenue", cands).has_value());
    CHECK_FALSE(closest_match("xyz", cands).has_value());
  }
  SECTION("no candidates") { CHECK_FALSE(closest_match("id", {}).has_value()); }
  SECTION("a short word allows two edits") {
    // "tz" -> "to" is one substitution; limit is max(2, 2/3) = 2.
    CHECK(closest_match("tz", {"to", "window"}) == std::optional<std::string>{"to"});
  }
  SECTION("a long word allows a third of its length") {
    // "timezon" (7 letters, limit max(2, 7/3) = 2) is one edit from "timezone".
    CHECK(closest_match("timezon", {"timezone", "window", "columns", "stages"}) ==
          std::optional<std::string>{"timezone"});
    // "windowsxyz" (10 letters, limit 3) is 4 edits from "window": too far.
    CHECK_FALSE(closest_match("windowsxyz", {"window"}).has_value());
  }
}

}  // namespace leadfunnel
