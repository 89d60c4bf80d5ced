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

}  // namespace leadfunnel
