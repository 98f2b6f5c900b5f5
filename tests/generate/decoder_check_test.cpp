// check_decoder_contract catches cache bugs; RecomputeDecoder generates like
// a cached decoder.
#include "marketlm/generate/decoder_check.h"

#include <gtest/gtest.h>

#include "generate/toy_decoders.h"
#include "marketlm/generate/generate.h"

namespace marketlm {
namespace {

using testing::HashDecoder;

// A shallow copy: copies the cache but drops its last position.
class NoCopyDecoder : public HashDecoder {
 public:
  using HashDecoder::HashDecoder;
  Status copy_slot(int from, int to) override {
    ML_RETURN_IF_ERROR(HashDecoder::copy_slot(from, to));
    shrink(to);
    return Status::ok();
  }
};

// Decodes a batch but writes every row from the first slot's history.
class WrongRowDecoder : public HashDecoder {
 public:
  using HashDecoder::HashDecoder;
  Status decode(std::span<const int> slots, std::span<const int32_t> tokens, float* logits) override {
    ML_RETURN_IF_ERROR(HashDecoder::decode(slots, tokens, logits));
    for (size_t i = 1; i < slots.size(); ++i)
      std::copy(logits, logits + vocab_size(), logits + i * vocab_size());
    return Status::ok();
  }
};

TEST(GenDecoderCheck, PassesForACorrectDecoder) {
  HashDecoder d(11, 32, 4);
  Status s = check_decoder_contract(d, {1, 2, 3});
  EXPECT_TRUE(s.is_ok()) << s.to_string();
}

TEST(GenDecoderCheck, CatchesMissingCopyAndWrongRows) {
  NoCopyDecoder a(11, 32, 4);
  Status s = check_decoder_contract(a, {1, 2, 3});
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("slot 1"), std::string::npos) << s.message();
  WrongRowDecoder b(11, 32, 4);
  EXPECT_FALSE(check_decoder_contract(b, {1, 2, 3}).is_ok());
  HashDecoder few(11, 32, 2);
  EXPECT_FALSE(check_decoder_contract(few, {1}).is_ok());  // needs n_slots + 1 slots
}

TEST(GenDecoderCheck, RecomputeDecoderGeneratesLikeCachedDecoder) {
  HashDecoder cached(9, 64, 3);
  HashDecoder oracle(9, 64, 1);
  RecomputeDecoder plain(9, 64, 3, [&](std::span<const int32_t> ids, float* out) {
    oracle.logits_for(std::vector<int32_t>(ids.begin(), ids.end()), out);
    return Status::ok();
  });
  EXPECT_TRUE(check_decoder_contract(plain, {4, 4}, {2, 3, 1e-6f, 5}).is_ok());
  GenerationConfig c;
  c.max_new_tokens = 8;
  c.do_sample = true;
  c.num_return_sequences = 3;
  c.seed = 77;
  auto r1 = generate(cached, {4, 4}, c);
  auto r2 = generate(plain, {4, 4}, c);
  ASSERT_TRUE(r1.is_ok() && r2.is_ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r1->sequences[i].token_ids, r2->sequences[i].token_ids);
  c = GenerationConfig{};
  c.max_new_tokens = 5;
  c.num_beams = 3;
  HashDecoder cached_b(9, 64, 3);
  auto b1 = generate(cached_b, {4}, c);
  auto b2 = generate(plain, {4}, c);
  ASSERT_TRUE(b1.is_ok() && b2.is_ok());
  EXPECT_EQ(b1->sequences[0].token_ids, b2->sequences[0].token_ids);
  EXPECT_FALSE(plain.reserve(4, 10).is_ok());  // more slots than it has
}

}  // namespace
}  // namespace marketlm
