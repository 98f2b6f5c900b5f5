// Utf8Assembler: turns a stream of byte pieces (a byte-level BPE token can
// hold part of a character) into text that never ends in half a character.
// Invalid bytes become U+FFFD so a bad byte never stalls the stream.
#pragma once

#include <string>
#include <string_view>

namespace marketlm {

class Utf8Assembler {
 public:
  // Adds bytes; returns the complete characters now available.
  std::string push(std::string_view bytes);
  // Returns what is left at the end of the stream (an incomplete character
  // becomes U+FFFD) and empties the buffer.
  std::string flush();
  size_t pending_bytes() const { return pending_.size(); }

 private:
  std::string pending_;
};

// True when s is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool is_valid_utf8(std::string_view s);
// s with every ill-formed byte sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view s);

}  // namespace marketlm

namespace marketlm {
// The length of the longest prefix of s that does not end inside a character
// that is still valid so far but incomplete (more bytes may complete it).
size_t utf8_complete_prefix(std::string_view s);
}  // namespace marketlm
