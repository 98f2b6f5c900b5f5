// AdamW (parameter groups, bias correction, changing lr) against
// torch.optim.AdamW goldens from tests/reference/adamw_reference.py.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/train/optimizer.h"

namespace marketlm {
namespace {

TEST(AdamWTorch, FourStepsMatchPyTorchOnEveryPath) {
  auto text = read_file(std::string(MARKETLM_SOURCE_DIR) + "/tests/reference/goldens/adamw_torch.json");
  ASSERT_TRUE(text.is_ok()) << text.status().to_string();
  auto g = nlohmann::json::parse(*text);
  const size_t nw = g["n_weight"], nb = g["n_bias"], n = nw + nb;
  std::vector<ParamSpec> specs = {{"h.0.mlp.c_fc.weight", {static_cast<int64_t>(nw)}, 0, nw, true},
                                  {"h.0.mlp.c_fc.bias", {static_cast<int64_t>(nb)}, nw, nb, false}};
  AdamWConfig cfg;
  cfg.beta1 = g["beta1"];
  cfg.beta2 = g["beta2"];
  cfg.eps = g["eps"];
  cfg.weight_decay = g["weight_decay"];
  for (kernels::Isa path : {kernels::Isa::kScalar, kernels::Isa::kAvx2, kernels::Isa::kAvx512}) {
    if (!kernels::isa_supported(path)) continue;
    AdamW opt(specs, n, cfg, path);
    double max_rel = 0;
    std::vector<float> p = g["params0"].get<std::vector<float>>();
    for (size_t s = 0; s < g["lrs"].size(); ++s) {
      std::vector<float> grad = g["grads"][s].get<std::vector<float>>();
      opt.step(p.data(), grad.data(), g["lrs"][s].get<float>(), nullptr);
      std::vector<float> want = g["params_after_step"][s].get<std::vector<float>>();
      for (size_t i = 0; i < n; ++i) {
        // float32 rounding differs from PyTorch's op order by a few ulps at most
        ASSERT_NEAR(p[i], want[i], 1e-6 + 2e-6 * std::fabs(want[i]))
            << kernels::isa_name(path) << " step " << s + 1 << " param " << i;
        max_rel = std::max(max_rel, std::fabs(double(p[i]) - want[i]) / std::max(1e-3, std::fabs(double(want[i]))));
      }
    }
    std::printf("[ info ] %s: max relative difference to PyTorch after 4 steps: %.2e\n", kernels::isa_name(path), max_rel);
  }
}

}  // namespace
}  // namespace marketlm
