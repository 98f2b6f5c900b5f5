// examples/brand.jsonl (the fine-tuning demo's brand pairs): every brief is
// valid, and every copy passes its channel's rules and names the features.
#include <gtest/gtest.h>

#include "marketlm/apps/adcopy/dataset.h"
#include "marketlm/apps/adcopy/metrics.h"
#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/apps/adcopy/rules.h"

namespace marketlm::adcopy {
namespace {

TEST(AdcopyBrandExample, EveryPairIsValidCopy) {
  auto pairs = load_pairs_jsonl(MARKETLM_SOURCE_DIR "/examples/brand.jsonl");
  ASSERT_TRUE(pairs.is_ok()) << pairs.status().to_string();
  ASSERT_GE(pairs->size(), 10u);
  for (const auto& p : *pairs) {
    ASSERT_TRUE(validate_brief(p.brief).is_ok()) << p.id << ": " << validate_brief(p.brief).to_string();
    EXPECT_EQ(p.prompt, render_prompt(p.brief)) << p.id;
    const FieldSpec& f = (*find_channel(p.brief.channel))->fields[0];
    CheckReport r = check_text(f, WordRules::from_brief(p.brief), p.completion, true);
    EXPECT_TRUE(r.all_passed()) << p.id << ": " << r.first_failure();
    EXPECT_DOUBLE_EQ(feature_coverage(p.brief.features, p.completion), 1.0) << p.id;
  }
}

}  // namespace
}  // namespace marketlm::adcopy
