// Buyer voice: words that a shopper writes about a purchase and an
// advertiser does not (我 bought it, 收到 it, the 快递 was fast, 下次 again;
// "I ordered", "my size"). The shipped model learnt non-clothing products
// only from shopping reviews, so its copy can slip into a reviewer's voice;
// this is how that is counted (eval adcopy's "buyer" column) and how the
// generator ranks such text after ad-voiced text.
//
// The markers were chosen on the training data (docs/adcopy.md, "Buyer
// voice"): 56.6% of the Chinese review pairs and 88.1% of the English ones
// contain one, against none of the 87 held-out ADGEN ad copies and 2 of the
// 783 training ones. 我 counts only outside 我们 and 自我, which ad copy uses
// ("让我们", "展示自我").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "marketlm/apps/adcopy/brief.h"

namespace marketlm::adcopy {

// The buyer-voice markers found in `text`, each once, in the order of the
// marker list. English markers are whole words (runs of ASCII letters and
// apostrophes), matched ASCII case-insensitively.
std::vector<std::string> buyer_voice_markers(std::string_view text);
bool has_buyer_voice(std::string_view text);
// Whether `text` has a buyer-voice marker that the brief does not itself use
// (in its product, target, features, audience, tone or keywords): a brief for
// a 京东 shop may ask for 京东 in the copy.
bool speaks_as_buyer(const Brief& brief, std::string_view text);

}  // namespace marketlm::adcopy
