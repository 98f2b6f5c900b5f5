// AdcopyGenerator on a tiny random-weight GPT: whatever the model writes,
// every returned variant satisfies the channel's limits, the banned words,
// the editorial rules and the required keywords, and variants are distinct.
// A decoder that pushes the model toward banned words, '!' and capitals
// checks that the rules hold against a model that tries to break them.
#include "marketlm/apps/adcopy/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "apps/adcopy/tiny_adcopy_model.h"
#include "marketlm/apps/adcopy/metrics.h"
#include "marketlm/apps/adcopy/report.h"
#include "marketlm/generate/gpt_decoder.h"

namespace marketlm::adcopy {
namespace {

using testing::tiny_adcopy_gpt;
using testing::tiny_adcopy_tokenizer;

// Adds `bias` to the logits of chosen tokens: a model that wants them.
class BiasedDecoder final : public Decoder {
 public:
  BiasedDecoder(Decoder* inner, std::vector<int32_t> boost, float bias)
      : inner_(inner), boost_(std::move(boost)), bias_(bias) {}
  int vocab_size() const override { return inner_->vocab_size(); }
  int max_positions() const override { return inner_->max_positions(); }
  int max_slots() const override { return inner_->max_slots(); }
  Status reserve(int n, int p) override { return inner_->reserve(n, p); }
  Status prefill(int slot, std::span<const int32_t> ids, float* out) override {
    ML_RETURN_IF_ERROR(inner_->prefill(slot, ids, out));
    add(out, 1);
    return Status::ok();
  }
  Status decode(std::span<const int> slots, std::span<const int32_t> toks, float* out) override {
    ML_RETURN_IF_ERROR(inner_->decode(slots, toks, out));
    add(out, slots.size());
    return Status::ok();
  }
  Status copy_slot(int from, int to) override { return inner_->copy_slot(from, to); }

 private:
  void add(float* rows, size_t n) const {
    for (size_t r = 0; r < n; ++r)
      for (int32_t t : boost_) rows[r * vocab_size() + t] += bias_;
  }
  Decoder* inner_;
  std::vector<int32_t> boost_;
  float bias_;
};

class AdcopyGeneratorTiny : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = tiny_adcopy_tokenizer();
    ASSERT_TRUE(t.is_ok()) << t.status().to_string();
    tok_ = std::make_unique<Tokenizer>(std::move(*t));
    auto m = tiny_adcopy_gpt(*tok_, 5);
    ASSERT_TRUE(m.is_ok()) << m.status().to_string();
    gpt_ = std::move(*m);
    dec_ = std::make_unique<GptDecoder>(gpt_.get(), 24);
  }

  // Generates and checks every rule on every variant; returns the variants.
  std::vector<AdVariant> run_checked(Decoder* dec, const Brief& b, GenerateOptions opt) {
    auto gen = AdcopyGenerator::create(dec, tok_.get());
    EXPECT_TRUE(gen.is_ok()) << gen.status().to_string();
    if (!gen.is_ok()) return {};
    auto r = gen->generate(b, opt);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    if (!r.is_ok()) return {};
    const ChannelPreset& ch = **find_channel(b.channel);
    const WordRules words = WordRules::from_brief(b);
    EXPECT_EQ(r->prompts.size(), ch.fields.size());
    EXPECT_EQ(r->texts.size(), r->variants.size());
    std::vector<std::string> all_texts;
    for (const AdVariant& v : r->variants) {
      CheckReport rep = validate_variant(ch, words, v);
      EXPECT_TRUE(rep.all_passed()) << rep.first_failure() << "\n" << v.joined();
      for (const auto& k : b.keywords) EXPECT_NE(lower(v.joined()).find(lower(k)), std::string::npos) << k;
      for (const auto& w : b.banned) EXPECT_EQ(lower(v.joined()).find(lower(w)), std::string::npos) << w;
      for (const auto& p : v.parts) {
        const FieldSpec* f = ch.field(p.field);
        if (!f) {
          ADD_FAILURE() << "unknown field " << p.field;
          continue;
        }
        EXPECT_LE(measure(p.text, f->unit), limit_for(*f, p.text)) << p.text;
        EXPECT_FALSE(p.text.empty());
        all_texts.push_back(p.text);
      }
      EXPECT_TRUE(std::isfinite(v.score));
      EXPECT_LT(v.score, 0.0);
    }
    // No two texts are near duplicates.
    for (size_t i = 0; i < all_texts.size(); ++i)
      for (size_t j = i + 1; j < all_texts.size(); ++j)
        EXPECT_LT(ngram_jaccard(all_texts[i], all_texts[j]), opt.distinct_threshold)
            << all_texts[i] << " | " << all_texts[j];
    if (r->variants.size() < static_cast<size_t>(opt.num_variants)) {
      EXPECT_FALSE(r->shortfall.empty());
    }
    shortfall_ = r->shortfall;
    return r->variants;
  }

  static std::string lower(std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  }

  std::string shortfall_;
  std::unique_ptr<Tokenizer> tok_;
  std::unique_ptr<GptModel> gpt_;
  std::unique_ptr<GptDecoder> dec_;
};

Brief office_brief(const std::string& channel) {
  Brief b;
  b.product = "办公用品";
  b.target = "提供高质量的办公用品";
  b.features = {"低价格", "高质量", "多样化"};
  b.channel = channel;
  b.keywords = {"文具"};
  b.banned = {"最便宜"};
  return b;
}

TEST_F(AdcopyGeneratorTiny, EveryChannelEveryVariantPassesItsRules) {
  for (const char* ch : {"generic", "weibo", "sms", "email_subject", "meta", "google_rsa"}) {
    const bool short_fields = std::string(ch) == "google_rsa";
    for (uint64_t seed : {1u, 2u}) {
      if (seed == 2 && !short_fields) continue;  // keep the test fast: long fields once
      GenerateOptions opt;
      opt.num_variants = 2;
      opt.seed = seed;
      // A noise model samples EOS by chance only, and long fields give it few
      // chances within the token budget: sample more candidates there (which
      // texts end then depends on the sampling path, not on the rules).
      const bool long_field = std::string(ch) == "generic" || std::string(ch) == "weibo" || std::string(ch) == "meta";
      if (long_field) opt.oversample = 4;
      auto v = run_checked(dec_.get(), office_brief(ch), opt);
      // A noise model still yields variants: the rules steer decoding. On
      // long fields with a required keyword some of its texts can fail to
      // end (token budget or force-word dead ends), so only short
      // single-field channels must yield all of them.
      EXPECT_GE(v.size(), 1u) << ch << " seed " << seed << ": " << shortfall_;
      if (std::string(ch) == "sms" || std::string(ch) == "email_subject") {
        EXPECT_EQ(v.size(), 2u) << ch << " seed " << seed << ": " << shortfall_;
      }
    }
  }
}

TEST_F(AdcopyGeneratorTiny, EnglishGoogleBriefKeepsEditorialRules) {
  Brief b;
  b.product = "office pens";
  b.features = {"smooth ink", "low price"};
  b.channel = "google_rsa";
  b.keywords = {"pens"};
  b.banned = {"cheap"};
  b.language = Language::kEn;
  GenerateOptions opt;
  opt.num_variants = 2;
  opt.seed = 3;
  auto v = run_checked(dec_.get(), b, opt);
  EXPECT_EQ(v.size(), 2u);
  for (const auto& var : v) {
    size_t headlines = 0;
    for (const auto& p : var.parts) headlines += p.field == "headline";
    EXPECT_EQ(headlines, 3u);
  }
}

TEST_F(AdcopyGeneratorTiny, AModelThatWantsToBreakTheRulesCannot) {
  // Boost every token that can spell the banned word, '!', capitals and digits.
  std::vector<int32_t> boost;
  for (int c = 'A'; c <= 'Z'; ++c) boost.push_back(c);
  for (int c = '0'; c <= '9'; ++c) boost.push_back(c);
  boost.push_back('!');
  for (const char* w : {"最", "便", "宜", "！"})
    for (int32_t id : tok_->encode(w)) boost.push_back(id);
  BiasedDecoder biased(dec_.get(), boost, 8.0f);
  for (const char* ch : {"google_rsa", "sms", "meta"}) {
    Brief b = office_brief(ch);
    b.banned = {"最便宜", "FREE"};
    GenerateOptions opt;
    opt.num_variants = 2;
    opt.seed = 9;
    auto v = run_checked(&biased, b, opt);
    EXPECT_FALSE(v.empty()) << ch << ": " << shortfall_;
  }
}

TEST_F(AdcopyGeneratorTiny, NeverWritesTheLostCharacterMarker) {
  // A model pushed hard toward the bytes of "<UNK>" still never spells it.
  std::vector<int32_t> boost;
  for (char c : std::string(kLostCharacterMarker)) boost.push_back(static_cast<unsigned char>(c));
  BiasedDecoder biased(dec_.get(), boost, 8.0f);
  Brief b = office_brief("generic");
  GenerateOptions opt;
  opt.num_variants = 3;
  opt.seed = 5;
  auto v = run_checked(&biased, b, opt);
  ASSERT_FALSE(v.empty()) << shortfall_;
  size_t marker_bytes = 0;  // the bias works: the copy is full of the marker's characters
  for (const auto& var : v) {
    EXPECT_EQ(var.joined().find(kLostCharacterMarker), std::string::npos) << var.joined();
    EXPECT_EQ(var.joined().find(kNeverWritten), std::string::npos) << var.joined();
    for (char c : var.joined()) marker_bytes += std::string(kLostCharacterMarker).find(c) != std::string::npos;
  }
  EXPECT_GT(marker_bytes, 5u);
}

TEST_F(AdcopyGeneratorTiny, MinLengthHoldsBackEos) {
  // A model that wants to end at once: without a minimum its copy is short,
  // with one every text runs to at least min_length characters first.
  const auto eos = tok_->token_to_id(kEndOfTextToken);
  ASSERT_TRUE(eos.has_value());
  BiasedDecoder biased(dec_.get(), {*eos}, 12.0f);
  Brief b = office_brief("sms");
  b.keywords.clear();
  b.target.clear();  // the target's opening alone is 11 characters
  GenerateOptions opt;
  opt.num_variants = 2;
  opt.seed = 6;
  size_t shortest_free = 1000;
  for (const auto& var : run_checked(&biased, b, opt))
    shortest_free = std::min(shortest_free, measure(var.joined(), LengthUnit::kCodePoints));
  EXPECT_LT(shortest_free, 12u);
  opt.min_length = 12;
  auto v = run_checked(&biased, b, opt);
  ASSERT_FALSE(v.empty()) << shortfall_;
  for (const auto& var : v) EXPECT_GE(measure(var.joined(), LengthUnit::kCodePoints), 12u) << var.joined();
}

TEST_F(AdcopyGeneratorTiny, CopyStartsFromTheTargetWhereItFits) {
  // Google headlines (30 wide) cannot hold the 22-wide opening in half their
  // limit; descriptions (90) can. Every text that takes it starts with it,
  // its tokens lead the candidate's (so they count in the score), the model
  // adds text of its own, and every rule still holds (run_checked).
  const std::string opening = "提供高质量的办公用品，";
  const std::vector<int32_t> opening_ids = tok_->encode(opening);
  auto gen = AdcopyGenerator::create(dec_.get(), tok_.get());
  ASSERT_TRUE(gen.is_ok()) << gen.status().to_string();
  for (const char* ch : {"sms", "google_rsa"}) {
    Brief b = office_brief(ch);
    GenerateOptions opt;
    opt.num_variants = 1;
    opt.seed = 7;
    auto r = gen->generate(b, opt);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->texts.size(), 1u) << ch << ": " << r->shortfall;
    for (const TextCandidate& c : r->texts[0]) {
      const bool fits = c.field != "headline";
      EXPECT_EQ(c.opened, fits) << ch << " " << c.field << ": " << c.text;
      EXPECT_EQ(c.text.rfind(opening, 0) == 0, fits) << c.text;
      if (!fits) continue;
      EXPECT_GT(c.text.size(), opening.size()) << c.text;
      ASSERT_GT(c.token_ids.size(), opening_ids.size());
      EXPECT_TRUE(std::equal(opening_ids.begin(), opening_ids.end(), c.token_ids.begin())) << c.text;
    }
    run_checked(dec_.get(), b, opt);
    opt.target_opening = TargetOpening::kOff;
    auto off = gen->generate(b, opt);
    ASSERT_TRUE(off.is_ok()) << off.status().to_string();
    for (const auto& texts : off->texts)
      for (const TextCandidate& c : texts) {
        EXPECT_FALSE(c.opened);
        EXPECT_NE(c.text.rfind(opening, 0), 0u) << c.text;
      }
  }
}

TEST_F(AdcopyGeneratorTiny, NoTargetNoOpeningSameCopyAsWithTheOptionOff) {
  // A brief without a target (every ADGEN brief) gets exactly the copy it got
  // before the opening existed.
  Brief b = office_brief("sms");
  b.target.clear();
  GenerateOptions opt;
  opt.num_variants = 2;
  opt.seed = 3;
  auto gen = AdcopyGenerator::create(dec_.get(), tok_.get());
  ASSERT_TRUE(gen.is_ok());
  auto on = gen->generate(b, opt);
  opt.target_opening = TargetOpening::kOff;
  auto off = gen->generate(b, opt);
  ASSERT_TRUE(on.is_ok() && off.is_ok());
  ASSERT_EQ(on->variants.size(), off->variants.size());
  ASSERT_FALSE(on->variants.empty()) << on->shortfall;
  for (size_t i = 0; i < on->variants.size(); ++i) EXPECT_EQ(on->variants[i].joined(), off->variants[i].joined());
}

TEST_F(AdcopyGeneratorTiny, SameSeedSameVariants) {
  GenerateOptions opt;
  opt.num_variants = 2;
  opt.seed = 4;
  auto a = run_checked(dec_.get(), office_brief("email_subject"), opt);
  auto b = run_checked(dec_.get(), office_brief("email_subject"), opt);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].joined(), b[i].joined());
}

TEST_F(AdcopyGeneratorTiny, FeatureBoostRaisesFeatureCoverage) {
  // A random model almost never writes 低价格/高质量/多样化 by chance; with
  // the boost, the tokens that start and continue them win. Ranking ignores
  // coverage here, so the gain comes from decoding alone.
  Brief b = office_brief("generic");
  b.keywords.clear();
  b.target.clear();  // copy opened by the target (which writes 高质量) takes opening_feature_boost
  GenerateOptions opt;
  opt.num_variants = 3;
  opt.coverage_weight = 0.0;
  auto coverage = [&](float boost, uint64_t seed) {
    GenerateOptions o = opt;
    o.feature_boost = boost;
    o.seed = seed;
    double sum = 0;
    int n = 0;
    for (const AdVariant& v : run_checked(dec_.get(), b, o)) {
      sum += feature_coverage(b.features, v.joined());
      ++n;
    }
    EXPECT_GT(n, 0);
    return n ? sum / n : 0.0;
  };
  for (uint64_t seed : {1, 2}) {
    const double off = coverage(0.0f, seed), on = coverage(8.0f, seed);
    EXPECT_GE(on, 0.6) << "seed " << seed;
    EXPECT_GT(on, off + 0.3) << "seed " << seed << ": boost 0 covers " << off;
  }
}

TEST_F(AdcopyGeneratorTiny, MeanLogprobsMatchesPrefillOfEachPrefix) {
  auto gen = AdcopyGenerator::create(dec_.get(), tok_.get());
  ASSERT_TRUE(gen.is_ok());
  const std::vector<int32_t> prompt = gen->encode_prompt(render_prompt(office_brief("generic")));
  const std::vector<std::vector<int32_t>> conts = {tok_->encode("文具好用"), tok_->encode("ab")};
  auto lp = gen->mean_logprobs(prompt, conts, {true, false});
  ASSERT_TRUE(lp.is_ok()) << lp.status().to_string();
  const int32_t eos = *tok_->token_to_id(kEndOfTextToken);
  for (size_t c = 0; c < conts.size(); ++c) {
    std::vector<int32_t> seq = prompt, targets = conts[c];
    if (c == 0) targets.push_back(eos);
    double sum = 0;
    std::vector<float> logits(dec_->vocab_size());
    ASSERT_TRUE(dec_->reserve(1, 256).is_ok());
    for (int32_t t : targets) {
      ASSERT_TRUE(dec_->prefill(0, seq, logits.data()).is_ok());
      double mx = logits[0], z = 0;
      for (float x : logits) mx = std::max(mx, static_cast<double>(x));
      for (float x : logits) z += std::exp(x - mx);
      sum += logits[t] - mx - std::log(z);
      seq.push_back(t);
    }
    EXPECT_NEAR((*lp)[c], sum / targets.size(), 1e-3) << c;
  }
}

TEST_F(AdcopyGeneratorTiny, PromptIsEncodedAsTheTrainerEncodesIt) {
  // `marketlm train` tokenizes JSONL prompts as text (special tokens not
  // parsed), so the markers reach the model as their byte pieces; generation
  // must feed the same ids, and no special id at all.
  auto gen = AdcopyGenerator::create(dec_.get(), tok_.get());
  ASSERT_TRUE(gen.is_ok());
  Brief b = office_brief("generic");
  b.product = "<|copy|>";
  const std::string prompt = render_prompt(b);
  auto ids = gen->encode_prompt(prompt);
  EXPECT_EQ(ids, tok_->encode(prompt, /*allow_special=*/false));
  for (int32_t id : ids) EXPECT_FALSE(tok_->is_special(id)) << id;
  EXPECT_EQ(tok_->decode(ids), prompt);
}

TEST_F(AdcopyGeneratorTiny, ErrorsForBadInput) {
  // A tokenizer without the ad-copy specials.
  std::vector<std::string> vocab;
  for (int b = 0; b < 256; ++b) vocab.push_back(text::byte_to_symbol(static_cast<uint8_t>(b)));
  auto plain = Tokenizer::from_parts(vocab, {}, {}, PreTokenizerConfig{}, "plain");
  ASSERT_TRUE(plain.is_ok());
  auto g0 = AdcopyGenerator::create(dec_.get(), &*plain);
  ASSERT_FALSE(g0.is_ok());
  EXPECT_NE(g0.status().message().find("<|brief|>"), std::string::npos);

  auto gen = AdcopyGenerator::create(dec_.get(), tok_.get());
  ASSERT_TRUE(gen.is_ok());
  GenerateOptions opt;
  Brief bad = office_brief("tiktok");
  auto r1 = gen->generate(bad, opt);
  ASSERT_FALSE(r1.is_ok());
  EXPECT_NE(r1.status().message().find("tiktok"), std::string::npos);
  Brief empty;
  auto r2 = gen->generate(empty, opt);
  ASSERT_FALSE(r2.is_ok());
  opt.num_variants = 0;
  auto r3 = gen->generate(office_brief("generic"), opt);
  ASSERT_FALSE(r3.is_ok());
  EXPECT_NE(r3.status().message().find("num_variants"), std::string::npos);
  // A brief too long for the 256-token context.
  Brief long_brief = office_brief("generic");
  long_brief.target = std::string(400, 'x');
  GenerateOptions ok;
  auto r4 = gen->generate(long_brief, ok);
  ASSERT_FALSE(r4.is_ok());
  EXPECT_NE(r4.status().message().find("shorten the brief"), std::string::npos) << r4.status().to_string();
  // A minimum no Google headline can reach (30 columns).
  GenerateOptions too_long;
  too_long.min_length = 31;
  auto r5 = gen->generate(office_brief("google_rsa"), too_long);
  ASSERT_FALSE(r5.is_ok());
  EXPECT_NE(r5.status().message().find("min_length 31"), std::string::npos) << r5.status().to_string();
  EXPECT_NE(r5.status().message().find("headline"), std::string::npos) << r5.status().to_string();
  too_long.min_length = -1;
  EXPECT_FALSE(gen->generate(office_brief("generic"), too_long).is_ok());
}

TEST(AdcopyRanking, EosThenNoStutterThenNoBuyerVoiceThenScore) {
  auto cand = [](bool eos, bool stutter, double lp, double cov) {
    TextCandidate c;
    c.finish = eos ? FinishReason::kEos : FinishReason::kLength;
    c.stutter = stutter;
    c.mean_logprob = lp;
    c.feature_coverage = cov;
    return c;
  };
  // A stutter loses to a worse score without one, but not to an unfinished text.
  EXPECT_TRUE(ranks_before(cand(true, false, -5.0, 0.0), cand(true, true, -1.0, 1.0), 1000.0));
  EXPECT_FALSE(ranks_before(cand(true, true, -1.0, 1.0), cand(true, false, -5.0, 0.0), 1000.0));
  EXPECT_TRUE(ranks_before(cand(true, true, -5.0, 0.0), cand(false, false, -1.0, 1.0), 1000.0));
  // Otherwise: mean log-likelihood + weight x coverage.
  EXPECT_TRUE(ranks_before(cand(true, false, -3.0, 1.0), cand(true, false, -1.0, 0.0), 1000.0));
  EXPECT_TRUE(ranks_before(cand(true, false, -1.0, 0.0), cand(true, false, -3.0, 1.0), 1.0));
  EXPECT_FALSE(ranks_before(cand(true, false, -2.0, 0.5), cand(true, false, -2.0, 0.5), 1.0));
  // A buyer's voice loses to a worse score in an ad's voice, but not to a stutter.
  auto buyer = [&](bool stutter, double lp) {
    TextCandidate c = cand(true, stutter, lp, 1.0);
    c.buyer_voice = true;
    return c;
  };
  EXPECT_TRUE(ranks_before(cand(true, false, -5.0, 0.0), buyer(false, -1.0), 1000.0));
  EXPECT_FALSE(ranks_before(buyer(false, -1.0), cand(true, false, -5.0, 0.0), 1000.0));
  EXPECT_TRUE(ranks_before(buyer(false, -5.0), cand(true, true, -1.0, 1.0), 1000.0));
  EXPECT_TRUE(ranks_before(buyer(false, -1.0), buyer(false, -2.0), 1000.0));
  // Clean: ended by EOS, no stutter, no buyer's voice; anything else asks for another round.
  EXPECT_TRUE(is_clean(cand(true, false, -9.0, 0.0)));
  EXPECT_FALSE(is_clean(cand(false, false, -1.0, 1.0)));
  EXPECT_FALSE(is_clean(cand(true, true, -1.0, 1.0)));
  EXPECT_FALSE(is_clean(buyer(false, -1.0)));
}

TEST(AdcopyKeywordField, LongestFieldThatHoldsAllKeywords) {
  const ChannelPreset& rsa = **find_channel("google_rsa");
  auto f = keyword_field(rsa, {"pens", "ink"});
  ASSERT_TRUE(f.is_ok());
  EXPECT_EQ(rsa.fields[*f].name, "description");
  auto none = keyword_field(rsa, {std::string(50, 'a'), std::string(50, 'b')});
  ASSERT_FALSE(none.is_ok());
  EXPECT_NE(none.status().message().find("one field"), std::string::npos);
  EXPECT_EQ(*keyword_field(**find_channel("weibo"), {"x"}), 0u);
}

}  // namespace
}  // namespace marketlm::adcopy
