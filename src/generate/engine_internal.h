// Pieces shared by the sampling/greedy loop and beam search (not public).
#pragma once

#include <string>
#include <vector>

#include "marketlm/generate/generate.h"
#include "marketlm/generate/logits_processors.h"

namespace marketlm::detail {

// What generate() checked and worked out before decoding starts.
struct Request {
  const GenerationConfig* cfg = nullptr;
  const GenerationHooks* hooks = nullptr;
  std::vector<int32_t> prompt;
  int vocab = 0;
  int budget = 0;  // new tokens allowed
};

// Validates config + prompt + hooks against the decoder.
Status check_request(const Decoder& decoder, const std::vector<int32_t>& prompt,
                     const GenerationConfig& cfg, const GenerationHooks& hooks, Request* req);

Result<GenerationOutput> run_sampling(Decoder& decoder, const Request& req);
Result<GenerationOutput> run_beam_search(Decoder& decoder, const Request& req);

// The text of one sequence's new tokens, kept up to date token by token.
// Uses hooks.token_bytes when present (exact byte offsets per token), else
// re-decodes with hooks.decode. Disabled when neither exists.
class TextTracker {
 public:
  explicit TextTracker(const GenerationHooks* hooks) : hooks_(hooks) {}
  bool enabled() const { return hooks_ && (hooks_->token_bytes || hooks_->decode); }
  void reset();
  // gen already holds the new token at the back.
  void push(const std::vector<int32_t>& gen);
  // The raw text if `tok` were appended to gen (for the bad-word check).
  std::string text_with(const std::vector<int32_t>& gen, int32_t tok) const;
  const std::string& raw() const { return raw_; }
  // Byte offset of the first stop string in raw(), or npos.
  size_t find_stop(const std::vector<std::string>& stops) const;
  // How many leading tokens of gen decode to text inside raw()[0, pos).
  size_t tokens_within(size_t pos, const std::vector<int32_t>& gen) const;
  // The next streamable piece: whole characters not yet streamed that cannot
  // become part of a stop string. final: everything up to `end` (or the end).
  std::string take_stream(const std::vector<std::string>& stops, bool final, size_t end);

 private:
  const GenerationHooks* hooks_;
  std::string raw_;
  std::vector<size_t> ends_;  // byte end of each token (token_bytes mode)
  size_t emitted_ = 0;
};

}  // namespace marketlm::detail
