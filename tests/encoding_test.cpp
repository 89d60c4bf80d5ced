// Tests of text encodings: UTF-8 validation, detection of the encoding of an
// export, and decoding UTF-16 and Windows-1252 to UTF-8. Byte values are
// worked out by hand from the Unicode and Windows-1252 tables.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "leadfunnel/encoding.hpp"
#include "leadfunnel/input.hpp"

namespace leadfunnel {
namespace {

using namespace std::string_literals;

/// U+FFFD in UTF-8.
const std::string kReplacement = "\xEF\xBF\xBD";

/// ASCII text as UTF-16LE bytes (each character then a zero byte).
std::string utf16le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

/// ASCII text as UTF-16BE bytes (a zero byte then each character).
std::string utf16be(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out += '\0';
    out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("encoding: is_valid_utf8 accepts well-formed text of every length", "[encoding]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("Lead ID,Create Date"));
  CHECK(is_valid_utf8("\xC3\xA9"));          // é U+00E9, 2 bytes
  CHECK(is_valid_utf8("Est\xC3\xA1gio"));    // Estágio
  CHECK(is_valid_utf8("\xE2\x82\xAC"));      // € U+20AC, 3 bytes
  CHECK(is_valid_utf8("\xF0\x9F\x98\x80"));  // U+1F600, 4 bytes
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  CHECK(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above them
  CHECK(is_valid_utf8("\xEF\xBB\xBFid"));    // a BOM is a valid character
  CHECK(is_valid_utf8("a\0b"s));             // NUL is ASCII
}

TEST_CASE("encoding: is_valid_utf8 refuses overlong forms", "[encoding]") {
  CHECK_FALSE(is_valid_utf8("\xC0\x80"));          // NUL in 2 bytes
  CHECK_FALSE(is_valid_utf8("\xC1\xBF"));          // U+007F in 2 bytes
  CHECK_FALSE(is_valid_utf8("\xE0\x80\x80"));      // NUL in 3 bytes
  CHECK_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes
  CHECK_FALSE(is_valid_utf8("\xF0\x80\x80\x80"));  // NUL in 4 bytes
  CHECK_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes
}

TEST_CASE("encoding: is_valid_utf8 refuses surrogates and code points past U+10FFFF", "[encoding]") {
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800
  CHECK_FALSE(is_valid_utf8("\xED\xBF\xBF"));      // U+DFFF
  CHECK_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80"));  // a surrogate pair written as CESU-8
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));  // lead byte F5 can only start values above U+10FFFF
}

TEST_CASE("encoding: is_valid_utf8 refuses truncated and broken sequences", "[encoding]") {
  CHECK_FALSE(is_valid_utf8("\xC3"));              // 2-byte lead, nothing after
  CHECK_FALSE(is_valid_utf8("caf\xC3"));           // cut at the end of the text
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));          // 3-byte sequence missing a byte
  CHECK_FALSE(is_valid_utf8("\xF0\x9F\x98"));      // 4-byte sequence missing a byte
  CHECK_FALSE(is_valid_utf8("\xC3(x"));            // continuation byte expected, '(' found
  CHECK_FALSE(is_valid_utf8("\x80"));              // a lone continuation byte
  CHECK_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // 5-byte forms do not exist
  CHECK_FALSE(is_valid_utf8("\xFF"));
  CHECK_FALSE(is_valid_utf8("Est\xE1gio"));        // Windows-1252 á followed by 'g'
}

TEST_CASE("encoding: detect_encoding trusts a byte order mark", "[encoding]") {
  CHECK(detect_encoding("\xEF\xBB\xBFid,created") == "utf-8");
  CHECK(detect_encoding("\xFF\xFE" + utf16le("id")) == "utf-16le");
  CHECK(detect_encoding("\xFE\xFF" + utf16be("id")) == "utf-16be");
}

TEST_CASE("encoding: detect_encoding finds UTF-16 without a BOM by its zero bytes", "[encoding]") {
  CHECK(detect_encoding(utf16le("Email\tNome\r\n")) == "utf-16le");
  CHECK(detect_encoding(utf16be("Email\tNome\r\n")) == "utf-16be");
  // Accented Latin letters also have a zero high byte: "á" is E1 00 in UTF-16LE.
  CHECK(detect_encoding(utf16le("Est") + "\xE1\0"s + utf16le("gio")) == "utf-16le");
}

TEST_CASE("encoding: detect_encoding falls back to Windows-1252 for bytes that are not UTF-8", "[encoding]") {
  CHECK(detect_encoding("Email;Nome;Est\xE1gio no funil\r\n") == "windows-1252");
  CHECK(detect_encoding("Jo\xE3o") == "windows-1252");  // João in cp1252
  CHECK(detect_encoding("Jo\xC3\xA3o") == "utf-8");      // João in UTF-8
  CHECK(detect_encoding("id,created\n") == "utf-8");
  CHECK(detect_encoding("") == "utf-8");
}

TEST_CASE("encoding: decode_to_utf8 reads UTF-16 in both byte orders", "[encoding]") {
  CHECK(decode_to_utf8(utf16le("id,x"), "utf-16le") == "id,x");
  CHECK(decode_to_utf8(utf16be("id,x"), "utf-16be") == "id,x");
  SECTION("the BOM is dropped") {
    CHECK(decode_to_utf8("\xFF\xFE" + utf16le("id"), "utf-16le") == "id");
    CHECK(decode_to_utf8("\xFE\xFF" + utf16be("id"), "utf-16be") == "id");
  }
  SECTION("letters beyond ASCII") {
    // é U+00E9 is E9 00 in LE; in UTF-8 it is C3 A9. € U+20AC is AC 20 in LE, E2 82 AC in UTF-8.
    CHECK(decode_to_utf8("\xE9\0"s, "utf-16le") == "\xC3\xA9");
    CHECK(decode_to_utf8("\xAC\x20"s, "utf-16le") == "\xE2\x82\xAC");
    CHECK(decode_to_utf8("\x20\xAC"s, "utf-16be") == "\xE2\x82\xAC");
  }
}

TEST_CASE("encoding: decode_to_utf8 joins UTF-16 surrogate pairs", "[encoding]") {
  // U+1F600 = D83D DE00: 0x10000 + (0x3D << 10) + 0x200 = 0x1F600; UTF-8 F0 9F 98 80.
  CHECK(decode_to_utf8("\x3D\xD8\x00\xDE"s, "utf-16le") == "\xF0\x9F\x98\x80");
  CHECK(decode_to_utf8("\xD8\x3D\xDE\x00"s, "utf-16be") == "\xF0\x9F\x98\x80");
  SECTION("a lone surrogate becomes U+FFFD") {
    CHECK(decode_to_utf8("\x3D\xD8" "A\0"s, "utf-16le") == kReplacement + "A");  // high, then 'A'
    CHECK(decode_to_utf8("\x00\xDE" "A\0"s, "utf-16le") == kReplacement + "A");  // low alone
    CHECK(decode_to_utf8("A\0\x3D\xD8"s, "utf-16le") == "A" + kReplacement);     // high at the very end
  }
}

TEST_CASE("encoding: decode_to_utf8 turns an odd trailing byte into U+FFFD", "[encoding]") {
  CHECK(decode_to_utf8("h\0i"s, "utf-16le") == "h" + kReplacement);
  CHECK(decode_to_utf8("\0hi"s, "utf-16be") == "h" + kReplacement);
  CHECK(decode_to_utf8("x", "utf-16le") == kReplacement);
}

TEST_CASE("encoding: decode_to_utf8 maps Windows-1252 bytes to their characters", "[encoding]") {
  CHECK(decode_to_utf8("plain", "windows-1252") == "plain");
  CHECK(decode_to_utf8("\x80", "windows-1252") == "\xE2\x82\xAC");          // € U+20AC
  CHECK(decode_to_utf8("\x93ok\x94", "windows-1252") == "\xE2\x80\x9Cok\xE2\x80\x9D");  // “ok” U+201C/U+201D
  CHECK(decode_to_utf8("\x9F", "windows-1252") == "\xC5\xB8");              // Ÿ U+0178
  CHECK(decode_to_utf8("\xE1", "windows-1252") == "\xC3\xA1");              // á U+00E1
  CHECK(decode_to_utf8("\xA0", "windows-1252") == "\xC2\xA0");              // no-break space U+00A0
  CHECK(decode_to_utf8("\xFF", "windows-1252") == "\xC3\xBF");              // ÿ U+00FF
  SECTION("the five undefined bytes keep their C1 code point") {
    CHECK(decode_to_utf8("\x81", "windows-1252") == "\xC2\x81");  // U+0081
    CHECK(decode_to_utf8("\x8D", "windows-1252") == "\xC2\x8D");
    CHECK(decode_to_utf8("\x8F", "windows-1252") == "\xC2\x8F");
    CHECK(decode_to_utf8("\x90", "windows-1252") == "\xC2\x90");
    CHECK(decode_to_utf8("\x9D", "windows-1252") == "\xC2\x9D");
  }
  CHECK(decode_to_utf8("Est\xE1gio", "windows-1252") == "Est\xC3\xA1gio");
}

TEST_CASE("encoding: decode_to_utf8 strips a UTF-8 BOM and keeps UTF-8 text", "[encoding]") {
  CHECK(decode_to_utf8("\xEF\xBB\xBFid", "utf-8") == "id");
  CHECK(decode_to_utf8("Est\xC3\xA1gio", "utf-8") == "Est\xC3\xA1gio");
}

TEST_CASE("encoding: decode_to_utf8 replaces invalid UTF-8 bytes with U+FFFD", "[encoding]") {
  CHECK(decode_to_utf8("a\xFF" "b", "utf-8") == "a" + kReplacement + "b");
}

TEST_CASE("encoding: known_encoding names the four encodings", "[encoding]") {
  for (const char* e : {"utf-8", "utf-16le", "utf-16be", "windows-1252"}) CHECK(known_encoding(e));
  CHECK_FALSE(known_encoding("latin1"));
  CHECK_FALSE(known_encoding("utf-32"));
  CHECK_FALSE(known_encoding(""));
}

TEST_CASE("encoding: parse_table decodes before parsing and says so", "[encoding]") {
  SECTION("UTF-16LE with a BOM") {
    const RawTable t = parse_table("\xFF\xFE" + utf16le("id\tname\r\nA1\tAna\r\n"), "a.tsv", ReadOptions{});
    CHECK(t.encoding == "utf-16le");
    CHECK(t.bom);
    CHECK(t.delimiter == '\t');
    CHECK(t.columns == std::vector<std::string>{"id", "name"});
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].fields == std::vector<std::string>{"A1", "Ana"});
    CHECK(t.notes == std::vector<std::string>{"decoded from utf-16le to UTF-8 (detected)"});
  }
  SECTION("UTF-16BE without a BOM") {
    const RawTable t = parse_table(utf16be("id,name\nA1,Ana\n"), "a.csv", ReadOptions{});
    CHECK(t.encoding == "utf-16be");
    CHECK_FALSE(t.bom);
    CHECK(t.columns == std::vector<std::string>{"id", "name"});
  }
  SECTION("Windows-1252, detected") {
    const RawTable t = parse_table("id;Est\xE1gio\r\nA1;Jo\xE3o\r\n", "a.csv", ReadOptions{});
    CHECK(t.encoding == "windows-1252");
    CHECK(t.columns == std::vector<std::string>{"id", "Est\xC3\xA1gio"});
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].fields[1] == "Jo\xC3\xA3o");
  }
  SECTION("--encoding overrides detection") {
    // Valid UTF-8 "Ã©" (C3 A9) read as Windows-1252 is two characters: Ã and ©.
    ReadOptions o;
    o.encoding = "windows-1252";
    const RawTable t = parse_table("id,name\nA1,\xC3\xA9\n", "a.csv", o);
    CHECK(t.encoding == "windows-1252");
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].fields[1] == "\xC3\x83\xC2\xA9");
    CHECK(t.notes == std::vector<std::string>{"decoded from windows-1252 to UTF-8 (--encoding)"});
  }
  SECTION("UTF-8 with a BOM keeps the first header clean") {
    const RawTable t = parse_table("\xEF\xBB\xBFRecord ID,Create Date\n1,2026-03-02\n", "a.csv", ReadOptions{});
    CHECK(t.encoding == "utf-8");
    CHECK(t.bom);
    CHECK(t.columns.front() == "Record ID");
    CHECK(t.notes.empty());
  }
}

TEST_CASE("encoding: a UTF-8 piece passes through exactly when it is whole, valid UTF-8", "[encoding]") {
  // Pieces of ASCII, valid sequences of every length, sequences cut at the
  // end, overlong forms, surrogates, values past U+10FFFF and stray bytes,
  // around the 8-, 16-, 32- and 64-byte steps a scanner might take.
  const std::vector<std::string> parts{"a",
                                       "Lead,Date\n",
                                       "\xC3\xA9",
                                       "\xE2\x82\xAC",
                                       "\xF0\x9F\x98\x80",
                                       "\xC3",
                                       "\xE2\x82",
                                       "\xF0\x9F\x98",
                                       "\xC0\xAF",
                                       "\xED\xA0\x80",
                                       "\xF4\x90\x80\x80",
                                       "\x80",
                                       "\xFF",
                                       std::string(13, 'x'),
                                       std::string(40, 'y')};
  std::uint64_t state = 7;
  auto pick = [&state](std::size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 33) % n);
  };
  std::size_t passed = 0, refused = 0;
  for (int c = 0; c < 20000; ++c) {
    std::string piece;
    for (std::size_t k = pick(12); k > 0; --k) piece += parts[pick(parts.size())];
    StreamDecoder d("utf-8", false);
    const bool through = d.passes_through(piece);
    INFO("case " << c);
    CHECK(through == is_valid_utf8(piece));
    ++(through ? passed : refused);
  }
  CHECK(passed > 2000);
  CHECK(refused > 2000);
  // Another encoding, or a sequence carried from the last piece: decoded instead.
  StreamDecoder cp("windows-1252", false);
  CHECK_FALSE(cp.passes_through("plain"));
  StreamDecoder carried("utf-8", false);
  std::string out;
  carried.decode("caf\xC3", out, false);
  CHECK_FALSE(carried.passes_through("\xA9 ok"));
}

TEST_CASE("encoding: a piece that passed through with a non-ASCII byte keeps later bad bytes from switching to "
          "Windows-1252",
          "[encoding]") {
  // With the fallback, UTF-8 switches to Windows-1252 at a bad byte only
  // when every byte before it was ASCII, including pieces that passed through.
  StreamDecoder ascii("utf-8", true);
  CHECK(ascii.passes_through("plain ASCII\n"));
  std::string out;
  ascii.decode("caf\xE9\n", out, true);
  CHECK(ascii.switched());
  CHECK(out == "caf\xC3\xA9\n");

  StreamDecoder accented("utf-8", true);
  CHECK(accented.passes_through("Jos\xC3\xA9\n"));
  out.clear();
  accented.decode("caf\xE9\n", out, true);
  CHECK_FALSE(accented.switched());
  CHECK(out == "caf" + kReplacement + "\n");
  CHECK(accented.replaced() == 1);
}

}  // namespace leadfunnel

TEST_CASE("encoding: the Windows-1252 stream gives what decode_to_utf8 gives, around runs of every length",
          "[encoding]") {
  // ASCII runs of 0 to 20 bytes (across the 8-byte steps that skip them)
  // between high bytes of every value; the stream decodes the text in
  // pieces of every size from 1 to 40. decode_to_utf8 maps byte by byte.
  std::string text;
  unsigned high = 0x80;
  for (std::size_t run = 0; run <= 20; ++run)
    for (int k = 0; k < 7; ++k) {
      text.append(run, static_cast<char>('a' + (run + static_cast<std::size_t>(k)) % 26));
      text += static_cast<char>(high);
      high = high == 0xFF ? 0x80 : high + 1;
    }
  const std::string want = leadfunnel::decode_to_utf8(text, "windows-1252");
  for (std::size_t piece = 1; piece <= 40; ++piece) {
    leadfunnel::StreamDecoder d("windows-1252", false);
    std::string got;
    for (std::size_t at = 0; at < text.size(); at += piece)
      d.decode(std::string_view(text).substr(at, piece), got, at + piece >= text.size());
    INFO("pieces of " << piece);
    CHECK(got == want);
  }
}

TEST_CASE("encoding: the UTF-16 stream gives what decode_to_utf8 gives, in both byte orders and pieces of any size",
          "[encoding]") {
  // ASCII runs of 0 to 12 units between a Latin-1 letter, a unit of three
  // UTF-8 bytes, a surrogate pair and a lone surrogate; the stream decodes
  // the text in pieces of every size from 1 to 33 bytes.
  const std::vector<std::uint32_t> others{0xE9, 0x20AC, 0x1F600, 0xD800, 0x7F, 0x100};
  std::vector<std::uint16_t> units;
  for (std::size_t run = 0; run <= 12; ++run)
    for (std::uint32_t other : others) {
      for (std::size_t k = 0; k < run; ++k) units.push_back(static_cast<std::uint16_t>('A' + (run + k) % 26));
      if (other > 0xFFFF) {
        units.push_back(static_cast<std::uint16_t>(0xD800 + ((other - 0x10000) >> 10)));
        units.push_back(static_cast<std::uint16_t>(0xDC00 + ((other - 0x10000) & 0x3FF)));
      } else {
        units.push_back(static_cast<std::uint16_t>(other));
      }
    }
  for (const bool little : {true, false}) {
    std::string text;
    for (std::uint16_t u : units) {
      const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
      text += little ? lo : hi;
      text += little ? hi : lo;
    }
    const char* name = little ? "utf-16le" : "utf-16be";
    const std::string want = leadfunnel::decode_to_utf8(text, name);
    REQUIRE(want.find("\xE2\x82\xAC") != std::string::npos);  // the euro sign came through
    for (std::size_t piece = 1; piece <= 33; ++piece) {
      leadfunnel::StreamDecoder d(name, false);
      std::string got;
      for (std::size_t at = 0; at < text.size(); at += piece)
        d.decode(std::string_view(text).substr(at, piece), got, at + piece >= text.size());
      INFO(name << ", pieces of " << piece);
      CHECK(got == want);
    }
  }
}
