// GPT-2's byte-to-unicode alphabet: every byte maps to one printable code
// point, so byte strings can be stored in JSON vocab files as text.
// Bytes 0x21-0x7E, 0xA1-0xAC and 0xAE-0xFF map to themselves; the other 68
// map to U+0100, U+0101, ... in byte order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace marketlm::text {

// The code point that stands for byte b.
uint32_t byte_to_codepoint(uint8_t b);
// The UTF-8 of the code point that stands for byte b (1 or 2 bytes).
std::string byte_to_symbol(uint8_t b);
// Raw bytes -> byte-level string.
std::string bytes_to_symbols(std::string_view bytes);
// Byte-level string -> raw bytes; nullopt when a character is outside the
// alphabet (the offending code point is stored in *bad_cp when given).
std::optional<std::string> symbols_to_bytes(std::string_view symbols, uint32_t* bad_cp = nullptr);
// Appends the UTF-8 of cp.
void append_utf8(std::string& out, uint32_t cp);

}  // namespace marketlm::text
