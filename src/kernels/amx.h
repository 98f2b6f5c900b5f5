// AMX plumbing shared by the bf16 gemm and the int8 products (internal to
// kernels/): the tile configuration both use, and whether this CPU and
// process may run tile instructions.
#pragma once

#include <cstdint>

namespace marketlm::kernels {

// ldtilecfg's 64-byte operand (palette 1).
struct alignas(64) AmxTileConfig {
  uint8_t palette = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

// Tiles 0..tiles-1 as 16 rows of 64 bytes, the only shape these kernels use.
inline AmxTileConfig amx_tiles_16x64(int tiles) {
  AmxTileConfig cfg;
  for (int t = 0; t < tiles; ++t) {
    cfg.colsb[t] = 64;
    cfg.rows[t] = 16;
  }
  return cfg;
}

// CPUID leaf 7 has AMX-TILE and the given EDX feature bit (22 AMX-BF16,
// 25 AMX-INT8), and Linux lets this process use tile data (asked for here:
// arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); asking again is
// harmless).
bool amx_usable(int edx_feature_bit);

}  // namespace marketlm::kernels
