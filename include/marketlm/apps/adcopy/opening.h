// The copy's opening: a brief's target, written as the first words of the
// copy ("提供高质量的办公用品，" then the model's text). A target such as
// the founding document's is already an advertiser's sentence, and a copy
// that starts from it stays in the advertiser's voice more often than one
// the model starts alone (docs/adcopy.md, "Target opening").
//
// The generator samples part of each field's candidates from the opening
// (GenerateOptions::target_opening) and ranks them with the others; their
// log-likelihood counts the opening's tokens, so a target the model finds
// unlikely as copy ("提高品牌知名度", a goal rather than an offer) loses to
// the copy it starts alone.
#pragma once

#include <string>

#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/apps/adcopy/channel.h"

namespace marketlm::adcopy {

// The brief's target as the start of a copy: trailing spaces and
// punctuation dropped, then the language's clause separator ("，" in
// Chinese; "," in English, with the first letter capitalised, the model's
// next word bringing its space). "" when the brief has no target.
std::string target_opening(const Brief& brief);

// Whether `opening` may start a text of `field`: it takes at most half the
// field's limit, so the model still writes most of the copy.
bool opening_fits(const FieldSpec& field, const std::string& opening);

}  // namespace marketlm::adcopy
