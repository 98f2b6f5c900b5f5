// The copy's opening: a brief's target, written as the first words of the
// copy ("提供高质量的办公用品，" then the model's text). A target such as the
// founding document's says what the brand offers, which is already an
// advertiser's sentence; copy that starts from it keeps to the advertiser's
// voice and to the brief (docs/adcopy.md, "Target opening"). A target that
// names a campaign goal instead (提高品牌知名度, "increase sales") is no
// sentence for the customer, so by default only offers open the copy.
#pragma once

#include <string>
#include <string_view>

#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/apps/adcopy/channel.h"
#include "marketlm/core/status.h"

namespace marketlm::adcopy {

enum class TargetOpening {
  kOff,     // never
  kOffers,  // when the target reads as an offer (target_reads_as_offer)
  kAlways,  // whenever the brief has a target
};

// "off", "offers", "always" (the CLI's --target-opening).
Result<TargetOpening> parse_target_opening(std::string_view s);
const char* target_opening_name(TargetOpening t);

// Whether the target says what is offered to the customer: in Chinese it
// contains 提供 or 为您/为你, or starts with 专为, 给您, 带给, 让您 or 帮您; in
// English its first word is offer(s), provide(s), bring(s), give(s) or
// deliver(s) (ASCII case-insensitive).
bool target_reads_as_offer(const Brief& brief);

// The brief's target as the start of a copy: trailing spaces and
// punctuation dropped, then the language's clause separator ("，" in
// Chinese; "," in English, with the first letter capitalised, the model's
// next word bringing its space). "" when the brief has no target, or when
// `mode` says this target does not open the copy.
std::string target_opening(const Brief& brief, TargetOpening mode = TargetOpening::kAlways);

// Whether `opening` may start a text of `field`: it takes at most half the
// field's limit, so the model still writes most of the copy.
bool opening_fits(const FieldSpec& field, const std::string& opening);

}  // namespace marketlm::adcopy
