#pragma once
/// Text encodings of exports: detection and decoding to UTF-8.

#include <string>
#include <string_view>

namespace leadfunnel {

/// Whether `bytes` are valid UTF-8.
bool is_valid_utf8(std::string_view bytes);

/// The encoding of `bytes`: "utf-8" (with or without BOM), "utf-16le" or
/// "utf-16be" (a BOM, or zero bytes in every other position), else
/// "windows-1252" when the bytes are not valid UTF-8.
std::string detect_encoding(std::string_view bytes);

/// `bytes` in `encoding` as UTF-8, without any BOM. Never fails: bytes that
/// cannot be decoded become U+FFFD.
std::string decode_to_utf8(std::string_view bytes, std::string_view encoding);

/// Whether leadfunnel can decode this encoding name.
bool known_encoding(std::string_view encoding);

/// Decodes a byte stream to UTF-8 piece by piece (no BOM is expected).
/// With `fallback`, "utf-8" input whose first bad sequence comes while every
/// byte so far was ASCII is read as windows-1252 from there on (the two agree
/// on ASCII, so nothing already decoded changes). Otherwise bytes that cannot
/// be decoded become U+FFFD and are counted.
class StreamDecoder {
 public:
  StreamDecoder(std::string encoding, bool fallback) : encoding_(std::move(encoding)), fallback_(fallback) {}
  /// Appends the UTF-8 for `in` to `out`. A sequence cut by the end of `in`
  /// is kept for the next call; `last` says no more input follows.
  void decode(std::string_view in, std::string& out, bool last);
  /// Whether `in` decodes to itself: the encoding is UTF-8, no sequence is
  /// carried from the last piece, and `in` is whole, valid UTF-8. Then it
  /// counts as decoded (the caller uses `in` as it is, and does not call
  /// decode for it); else nothing changes.
  bool passes_through(std::string_view in);
  /// The encoding in use now ("utf-8" may have become "windows-1252").
  const std::string& encoding() const { return encoding_; }
  bool switched() const { return switched_; }
  /// Bytes (or UTF-16 units) that became U+FFFD.
  std::size_t replaced() const { return replaced_; }

 private:
  void decode_utf8(std::string_view in, std::string& out, bool last);
  void decode_utf16(std::string_view in, std::string& out, bool last, bool little);

  std::string encoding_;
  bool fallback_;
  bool switched_ = false;
  bool seen_non_ascii_ = false;
  std::size_t replaced_ = 0;
  std::string carry_;  ///< the start of a sequence cut by the end of the last piece
};

}  // namespace leadfunnel
