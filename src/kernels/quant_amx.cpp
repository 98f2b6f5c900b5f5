// AMX int8 products (see quant_amx.h).
#include "kernels/quant_amx.h"

#include "kernels/amx.h"

// GCC 12's AVX-512 headers trip -Wuninitialized inside the header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "marketlm/core/aligned_buffer.h"

namespace marketlm::kernels {
namespace {

#define ML_AMX_INT8 __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw")))

constexpr int kTileRows = 16;   // weight rows per A tile, activation rows per B tile
constexpr int kTilesPerUnit = 4;  // C tiles (16 weight rows each) per work unit

// Tiles 0-3: C (16 weight rows x 16 activation rows, int32); 4: B (16 groups
// of four k x 16 activation rows); 5, 6: A (16 weight rows x 64 k), alternating.
ML_AMX_INT8 void configure() {
  AmxTileConfig cfg = amx_tiles_16x64(7);
  __asm__ volatile("" : : "r"(&cfg) : "memory");  // ldtilecfg reads cfg: keep the stores
  _tile_loadconfig(&cfg);
}

// C tiles for weight rows [n0, n0 + 16 * tiles) against the packed
// activations Bp (Kp / 4 rows of 64 bytes), stored to c[tile][16][16].
ML_AMX_INT8 void unit(const int8_t* W, int Kp, int n0, int tiles, const int8_t* Bp, int32_t* c) {
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  const int8_t* w0 = W + static_cast<size_t>(n0) * Kp;
  const size_t step = static_cast<size_t>(kTileRows) * Kp;
  for (int k = 0; k < Kp; k += 64) {
    _tile_loadd(4, Bp + static_cast<size_t>(k / 4) * 64, 64);
    _tile_loadd(5, w0 + k, Kp);
    _tile_dpbssd(0, 5, 4);
    if (tiles > 1) {
      _tile_loadd(6, w0 + step + k, Kp);
      _tile_dpbssd(1, 6, 4);
    }
    if (tiles > 2) {
      _tile_loadd(5, w0 + 2 * step + k, Kp);
      _tile_dpbssd(2, 5, 4);
    }
    if (tiles > 3) {
      _tile_loadd(6, w0 + 3 * step + k, Kp);
      _tile_dpbssd(3, 6, 4);
    }
  }
  _tile_stored(0, c, 64);
  if (tiles > 1) _tile_stored(1, c + 256, 64);
  if (tiles > 2) _tile_stored(2, c + 512, 64);
  if (tiles > 3) _tile_stored(3, c + 768, 64);
}

ML_AMX_INT8 void release() { _tile_release(); }

}  // namespace

bool int8_amx_supported() { return amx_usable(25); }  // AMX-INT8

void int8_forward_amx(float* out, const int8_t* qa, const float* sa, const QuantMatrix& w, const float* bias, int M,
                      const KernelContext& ctx) {
  const int N = w.N, Kp = w.Kp;
  const int units = N / (kTileRows * kTilesPerUnit) + (N % (kTileRows * kTilesPerUnit) >= kTileRows ? 1 : 0);
  const int chunks = (M + kTileRows - 1) / kTileRows;
  const size_t chunk_bytes = static_cast<size_t>(Kp / 4) * 64;
  // B per chunk of 16 activation rows: row q holds, for each activation row
  // m, its k = 4q .. 4q + 3 (rows past M stay zero).
  AlignedBuffer<int8_t> Bp(chunk_bytes * chunks);
  for (int m = 0; m < M; ++m) {
    const int8_t* a = qa + static_cast<size_t>(m) * Kp;
    int8_t* dst = Bp.data() + chunk_bytes * (m / kTileRows) + 4 * (m % kTileRows);
    for (int q = 0; q < Kp / 4; ++q)
      for (int j = 0; j < 4; ++j) dst[static_cast<size_t>(q) * 64 + j] = a[4 * q + j];
  }
  // Each unit's 64 weight rows stay in cache while every chunk passes.
  parallel_for(ctx, units, [&](int64_t b, int64_t e, int) {
    configure();
    alignas(64) int32_t c[kTilesPerUnit * kTileRows * kTileRows];
    for (int64_t u = b; u < e; ++u) {
      const int n0 = static_cast<int>(u) * kTileRows * kTilesPerUnit;
      const int tiles = std::min(kTilesPerUnit, (N - n0) / kTileRows);
      for (int ch = 0; ch < chunks; ++ch) {
        const int m0 = ch * kTileRows, mc = std::min(kTileRows, M - m0);
        unit(w.q.data(), Kp, n0, tiles, Bp.data() + chunk_bytes * ch, c);
        for (int m = 0; m < mc; ++m) {  // contiguous writes along each output row
          float* o = out + static_cast<size_t>(m0 + m) * N;
          for (int i = 0; i < tiles * kTileRows; ++i) {
            const int n = n0 + i;
            o[n] = int8_output(c[i * kTileRows + m], sa[m0 + m], w.scale[n], bias, n);
          }
        }
      }
    }
    release();
  }, 1);
}

}  // namespace marketlm::kernels
