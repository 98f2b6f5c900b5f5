// Trains a byte-level BPE tokenizer from text, as Hugging Face tokenizers'
// BpeTrainer does: special tokens take the first ids, then the 256 byte
// symbols (in GPT-2's byte-to-unicode order), then one token per merge.
// Each step merges the most frequent adjacent pair (counted over pre-tokens,
// weighted by how often each pre-token occurs); ties go to the pair with the
// smaller (left id, right id), so training is deterministic. Training stops at
// vocab_size or when the best pair occurs fewer than min_frequency times.
//
//   BpeTrainer trainer(config);
//   trainer.feed(text1); trainer.feed(text2);            // count pre-tokens
//   Result<Tokenizer> tok = trainer.train(ctx);          // ctx: pool + progress
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/core/context.h"
#include "marketlm/core/status.h"
#include "marketlm/text/pretokenizer.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm {

// marketlm's control tokens, in id order: <|endoftext|> (0), <|pad|> (1),
// then markers for marketing briefs and dialogues (see docs/tokenizer.md).
std::vector<std::string> default_special_tokens();

struct BpeTrainerConfig {
  int vocab_size = 16000;      // specials + 256 bytes + merges
  int64_t min_frequency = 2;   // a pair must occur this often to be merged
  std::vector<std::string> special_tokens = default_special_tokens();
  PreTokenizerConfig pre = {16};  // Han runs cut into pre-tokens of <= 16 characters
};

class BpeTrainer {
 public:
  explicit BpeTrainer(BpeTrainerConfig config);
  ~BpeTrainer();
  BpeTrainer(BpeTrainer&&) noexcept;
  BpeTrainer& operator=(BpeTrainer&&) noexcept;

  // Counts the pre-tokens of text. Special-token strings in the text are
  // skipped (they never take part in merges). Uses ctx.pool when given.
  void feed(std::string_view text, ThreadPool* pool = nullptr);
  int64_t distinct_words() const;

  Status validate() const;
  Result<Tokenizer> train(const Context& ctx) const;

 private:
  struct State;
  BpeTrainerConfig config_;
  std::unique_ptr<State> state_;
};

}  // namespace marketlm
