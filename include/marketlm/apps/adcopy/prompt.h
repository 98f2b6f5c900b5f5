// The prompt format the ad-copy model is trained on and prompted with
// (specified in docs/adcopy.md, "Prompt format"):
//
//   <|brief|>产品：办公用品\n特点：低价格、高质量、多样化\n...\n<|copy|>COPY<|endoftext|>
//
// One "label：value" line per non-empty brief field, in a fixed order, labels
// in the brief's language. Training pairs use exactly this function, so the
// model sees the same layout at training and at generation time.
#pragma once

#include <string>
#include <vector>

#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/apps/adcopy/channel.h"

namespace marketlm::adcopy {

// Control tokens; the tokenizer registers them as special (single) tokens.
inline constexpr const char* kBriefToken = "<|brief|>";
inline constexpr const char* kCopyToken = "<|copy|>";
inline constexpr const char* kEndOfTextToken = "<|endoftext|>";
inline constexpr const char* kPadToken = "<|pad|>";

// Renders the prompt up to and including <|copy|>. `field` (may be null)
// adds the field line and its length limit; channel "generic" with a null
// field adds no channel line, matching the ADGEN training pairs.
std::string render_prompt(const Brief& brief, const FieldSpec* field = nullptr);

// The prompt of a training pair whose text is a buyer's review, not ad copy
// (the pairs prepare-data builds from shopping reviews): render_prompt plus
// the line "体裁：买家评价" ("Kind: customer review"). The model learns the
// two voices apart; generation never adds the line, so it asks for ad copy
// while still drawing on what the reviews taught about other products.
std::string render_review_prompt(const Brief& brief, const FieldSpec* field = nullptr);

// One prompt per field the brief's channel asks for: the generic channel
// gets the plain prompt (no channel/field lines, as in training), others one
// prompt per field. Assumes a validated brief (unknown channel = generic).
struct FieldPrompt {
  std::string field;
  std::string prompt;
};
std::vector<FieldPrompt> render_channel_prompts(const Brief& brief);

// The training target: copy followed by <|endoftext|>.
std::string render_completion(const std::string& copy);

// Length limit as told to the model: characters for Chinese ("≤15字" for a
// 30-column Google headline), columns for English.
size_t prompt_length_hint(const FieldSpec& field, Language lang);

}  // namespace marketlm::adcopy
