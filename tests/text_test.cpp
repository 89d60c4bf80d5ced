// Tests for the small text helpers.
#include <catch2/catch.hpp>

#include <string>

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
