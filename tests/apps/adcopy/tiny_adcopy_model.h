// A tiny random-weight GPT with a byte-level test tokenizer that has the
// ad-copy special tokens, for tests that must hold whatever the model says:
// every returned variant satisfies the brief's rules even when the model
// writes noise. Used by generator_test.cpp and by make_tiny_adcopy_model (the
// model directory the CLI end-to-end tests run against).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/core/status.h"
#include "marketlm/models/gpt/gpt_model.h"
#include "marketlm/text/byte_level.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm::adcopy::testing {

// Byte tokens 0-255, merged tokens for a few Chinese characters (so prompts
// stay short), then <|endoftext|>, <|pad|>, <|brief|>, <|copy|>.
inline Result<Tokenizer> tiny_adcopy_tokenizer() {
  std::vector<std::string> vocab;
  for (int b = 0; b < 256; ++b) vocab.push_back(text::byte_to_symbol(static_cast<uint8_t>(b)));
  std::vector<std::pair<std::string, std::string>> merges;
  std::set<std::string> have(vocab.begin(), vocab.end());
  const std::string chars =
      "产品目标的特点渠道字段关键词办公用品提供高质量低价格多样化文具最便宜好用新款时尚舒适简约百搭优惠，。、：";
  for (size_t i = 0; i < chars.size();) {
    const size_t n = (static_cast<unsigned char>(chars[i]) >= 0xE0) ? 3 : 2;
    std::string sym = text::byte_to_symbol(static_cast<uint8_t>(chars[i]));
    for (size_t k = 1; k < n; ++k) {
      const std::string next = text::byte_to_symbol(static_cast<uint8_t>(chars[i + k]));
      if (have.insert(sym + next).second) {
        merges.push_back({sym, next});
        vocab.push_back(sym + next);
      }
      sym += next;
    }
    i += n;
  }
  const int32_t base = static_cast<int32_t>(vocab.size());
  std::vector<AddedToken> added = {{base, kEndOfTextToken, true},
                                   {base + 1, kPadToken, true},
                                   {base + 2, kBriefToken, true},
                                   {base + 3, kCopyToken, true}};
  return Tokenizer::from_parts(vocab, merges, added, PreTokenizerConfig{}, "tiny adcopy tokenizer");
}

// A randomly initialised GPT over that vocabulary (1 layer, 32 wide, 256 positions).
inline Result<std::unique_ptr<GptModel>> tiny_adcopy_gpt(const Tokenizer& tok, uint64_t seed) {
  GptConfig c;
  c.n_layer = 1;
  c.n_head = 2;
  c.n_embd = 32;
  c.n_ctx = 256;
  c.vocab_size = tok.vocab_size();
  const int32_t eos = *tok.token_to_id(kEndOfTextToken);
  c.bos_token_id = eos;
  c.eos_token_id = eos;
  ML_ASSIGN_OR_RETURN(auto m, GptModel::create(c, kernels::KernelContext{}));
  m->init_weights(seed);
  return m;
}

}  // namespace marketlm::adcopy::testing
