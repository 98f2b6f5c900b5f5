#include "text/unicode.h"

namespace marketlm::text {
namespace {
#include "text/unicode_tables.inc"
}  // namespace

uint8_t unicode_flags(uint32_t cp) {
  if (cp >= 0x110000) return 0;
  return kUnicodeStage2[(static_cast<uint32_t>(kUnicodeStage1[cp >> kUnicodeBlockBits])
                         << kUnicodeBlockBits) |
                        (cp & ((1u << kUnicodeBlockBits) - 1))];
}

// Built from the same table so ASCII and non-ASCII agree by construction.
static_assert(sizeof(kUnicodeStage1) > 0);
const uint8_t kAsciiFlags[128] = {
#define F(cp) (kUnicodeStage2[(static_cast<uint32_t>(kUnicodeStage1[0]) << kUnicodeBlockBits) | (cp)])
#define R8(b) F(b), F(b + 1), F(b + 2), F(b + 3), F(b + 4), F(b + 5), F(b + 6), F(b + 7)
    R8(0),  R8(8),  R8(16), R8(24), R8(32), R8(40), R8(48), R8(56),
    R8(64), R8(72), R8(80), R8(88), R8(96), R8(104), R8(112), R8(120),
#undef R8
#undef F
};

}  // namespace marketlm::text
