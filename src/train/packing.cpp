#include "marketlm/train/packing.h"

#include <algorithm>
#include <cmath>

#include "marketlm/core/check.h"

namespace marketlm {

void PackedSequences::fill(size_t window, int32_t* inputs, int32_t* targets) const {
  const size_t W = static_cast<size_t>(T) + 1;
  const int32_t* tok = tokens.data() + window * W;
  const uint8_t* m = mask.data() + window * W;
  for (int t = 0; t < T; ++t) {
    inputs[t] = tok[t];
    targets[t] = m[t + 1] ? tok[t + 1] : -1;
  }
}

namespace {

class WindowBuilder {
 public:
  WindowBuilder(PackedSequences* out, int32_t eot) : out_(out), W_(static_cast<size_t>(out->T) + 1), eot_(eot) {}
  size_t room() const { return W_ - used_; }
  void push(int32_t tok, uint8_t m) {
    out_->tokens.push_back(tok);
    out_->mask.push_back(m);
    if (++used_ == W_) used_ = 0;
  }
  void pad_to_end() {
    while (used_ != 0) push(eot_, 0);
  }
  bool empty_window() const { return used_ == 0; }

 private:
  PackedSequences* out_;
  size_t W_, used_ = 0;
  int32_t eot_;
};

}  // namespace

PackedSequences pack_sequences(const TokenizedCorpus& c, int T, int32_t eot_id, bool pack_pairs) {
  ML_CHECK(T > 0);
  PackedSequences out;
  out.T = T;
  const size_t W = static_cast<size_t>(T) + 1;

  // Text stream: doc0 <eot> doc1 <eot> ..., windows of W with stride T.
  std::vector<int32_t> stream;
  std::vector<uint8_t> smask;
  for (size_t d = 0; d < c.num_docs(); ++d) {
    if (c.doc_is_pair[d]) continue;
    for (uint64_t i = c.doc_offsets[d]; i < c.doc_offsets[d + 1]; ++i) {
      stream.push_back(c.tokens[i]);
      smask.push_back(c.mask[i]);
    }
    stream.push_back(eot_id);
    smask.push_back(1);
  }
  if (stream.size() >= 2) {
    for (size_t start = 0; start + 1 < stream.size(); start += static_cast<size_t>(T)) {
      for (size_t k = 0; k < W; ++k) {
        const bool in = start + k < stream.size();
        out.tokens.push_back(in ? stream[start + k] : eot_id);
        out.mask.push_back(in ? smask[start + k] : 0);
      }
    }
  }

  // Pairs: [prompt, completion, eot], packed whole into windows.
  WindowBuilder wb(&out, eot_id);
  for (size_t d = 0; d < c.num_docs(); ++d) {
    if (!c.doc_is_pair[d]) continue;
    uint64_t b = c.doc_offsets[d], e = c.doc_offsets[d + 1];
    size_t len = static_cast<size_t>(e - b) + 1;  // + eot
    bool cut_end = false;
    if (len > W) {
      ++out.truncated_pairs;
      // Drop prompt tokens from the front first, then completion from the end.
      uint64_t first_target = b;
      while (first_target < e && c.mask[first_target] == 0) ++first_target;
      const uint64_t keep_prompt = first_target - b;
      const uint64_t completion = e - first_target + 1;  // incl. eot
      if (completion + 1 <= W) {  // keep at least one context token
        b = first_target - std::min<uint64_t>(keep_prompt, W - completion);
      } else {
        b = first_target - std::min<uint64_t>(keep_prompt, 1);
        e = b + W;  // completion cut; no eot
        cut_end = true;
      }
      len = static_cast<size_t>(e - b) + (cut_end ? 0 : 1);
    }
    if (!pack_pairs || wb.room() < len) wb.pad_to_end();
    for (uint64_t i = b; i < e; ++i) wb.push(c.tokens[i], c.mask[i]);
    if (!cut_end) wb.push(eot_id, 1);
  }
  wb.pad_to_end();
  return out;
}

DataSplit split_train_val(size_t count, double val_fraction, uint64_t seed) {
  std::vector<uint32_t> idx(count);
  for (size_t i = 0; i < count; ++i) idx[i] = static_cast<uint32_t>(i);
  Rng rng(seed ^ 0x5157a11d5eedull);
  for (size_t i = count; i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
  size_t n_val = static_cast<size_t>(std::llround(static_cast<double>(count) * val_fraction));
  if (val_fraction > 0 && n_val == 0 && count >= 2) n_val = 1;
  if (n_val >= count) n_val = count > 0 ? count - 1 : 0;
  DataSplit s;
  s.val.assign(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(n_val));
  s.train.assign(idx.begin() + static_cast<ptrdiff_t>(n_val), idx.end());
  std::sort(s.val.begin(), s.val.end());
  std::sort(s.train.begin(), s.train.end());
  return s;
}

BatchSampler::BatchSampler(const PackedSequences* data, std::vector<uint32_t> indices, uint64_t order_seed)
    : data_(data), indices_(std::move(indices)), order_seed_(order_seed) {
  ML_CHECK(!indices_.empty());
  shuffle_for_epoch();
}

void BatchSampler::shuffle_for_epoch() {
  order_ = indices_;
  Rng rng(order_seed_ ^ ((epoch_ + 1) * 0x9e3779b97f4a7c15ull));
  for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.below(i)]);
}

void BatchSampler::set_position(uint64_t epoch, uint64_t index) {
  epoch_ = epoch;
  index_ = index;
  shuffle_for_epoch();
}

int64_t BatchSampler::next_batch(int B, int32_t* inputs, int32_t* targets) {
  const size_t T = static_cast<size_t>(data_->T);
  int64_t counted = 0;
  for (int b = 0; b < B; ++b) {
    if (index_ >= order_.size()) {
      ++epoch_;
      index_ = 0;
      shuffle_for_epoch();
    }
    data_->fill(order_[index_++], inputs + b * T, targets + b * T);
    for (size_t t = 0; t < T; ++t) counted += targets[b * T + t] >= 0;
  }
  return counted;
}

}  // namespace marketlm
