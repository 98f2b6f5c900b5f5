// TF-IDF item text embeddings, content scores and the cold-start evaluation.
#include "marketlm/apps/recsys/cold_start.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "marketlm/apps/recsys/metrics.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/rng.h"

namespace marketlm::recsys {

std::vector<std::string> text_words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) && c < 128) {
      cur.push_back(static_cast<char>(std::tolower(c)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

Status TfidfEmbedder::fit(std::span<const std::string> texts) {
  std::unordered_map<std::string, int> df;
  for (const auto& t : texts) {
    auto words = text_words(t);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (auto& w : words) df[w]++;
  }
  std::vector<std::string> kept;
  for (const auto& [w, n] : df) {
    if (n >= min_df_) kept.push_back(w);
  }
  std::sort(kept.begin(), kept.end());  // stable dimension order
  if (kept.empty()) return invalid_argument("tf-idf: the item texts contain no words");
  vocab_.clear();
  idf_.clear();
  const double n_docs = static_cast<double>(texts.size());
  for (const auto& w : kept) {
    vocab_[w] = static_cast<int>(idf_.size());
    idf_.push_back(static_cast<float>(std::log((1.0 + n_docs) / (1.0 + df[w])) + 1.0));
  }
  return Status::ok();
}

void TfidfEmbedder::embed(std::string_view text, std::span<float> out) const {
  std::fill(out.begin(), out.end(), 0.0f);
  for (const auto& w : text_words(text)) {
    auto it = vocab_.find(w);
    if (it != vocab_.end()) out[static_cast<size_t>(it->second)] += idf_[static_cast<size_t>(it->second)];
  }
  double norm = 0;
  for (float v : out) norm += static_cast<double>(v) * v;
  if (norm > 0) {
    const auto inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& v : out) v *= inv;
  }
}

Result<ItemEmbeddings> embed_items(TextEmbedder& embedder, std::span<const std::string> texts) {
  ML_RETURN_IF_ERROR(embedder.fit(texts));
  ItemEmbeddings e;
  e.dim = embedder.dim();
  e.rows.resize(texts.size() * static_cast<size_t>(e.dim));
  for (size_t i = 0; i < texts.size(); ++i) {
    embedder.embed(texts[i], std::span<float>(e.rows).subspan(i * static_cast<size_t>(e.dim), static_cast<size_t>(e.dim)));
  }
  return e;
}

void content_scores(const ItemEmbeddings& emb, std::span<const int32_t> history, int history_len, float decay,
                    std::span<const int32_t> candidates, std::span<float> out) {
  const auto d = static_cast<size_t>(emb.dim);
  std::vector<float> profile(d, 0.0f);
  float w = 1.0f;
  int used = 0;
  for (size_t k = history.size(); k-- > 0 && used < history_len; ++used, w *= decay) {
    const float* row = &emb.rows[static_cast<size_t>(history[k]) * d];
    for (size_t c = 0; c < d; ++c) profile[c] += w * row[c];
  }
  double norm = 0;
  for (float v : profile) norm += static_cast<double>(v) * v;
  const double inv = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
  for (size_t j = 0; j < candidates.size(); ++j) {
    const float* row = &emb.rows[static_cast<size_t>(candidates[j]) * d];
    double s = 0;
    for (size_t c = 0; c < d; ++c) s += static_cast<double>(profile[c]) * row[c];
    out[j] = static_cast<float>(s * inv);
  }
}

Result<SequenceData> load_movielens_ratings(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  // Same rows as "user,item,time" CSV once the rating column is dropped.
  std::string csv;
  csv.reserve(text.size());
  size_t pos = 0;
  int64_t line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line;
    auto f = split_whitespace(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    if (f.empty()) continue;
    if (f.size() != 4) {
      return data_error(path + ":" + std::to_string(line) + ": expected 4 fields 'user item rating timestamp', got " +
                        std::to_string(f.size()));
    }
    csv.append(f[0]).append(",").append(f[1]).append(",").append(f[3]).append("\n");
  }
  return parse_interactions_csv(csv, path);
}

Result<std::vector<std::string>> load_movielens_item_texts(const std::string& item_path, const std::string& genre_path,
                                                           const IdMap& items, bool with_genres) {
  std::vector<std::string> genres;
  if (with_genres) {
    ML_ASSIGN_OR_RETURN(std::string gtext, read_file(genre_path));
    size_t pos = 0;
    while (pos < gtext.size()) {
      size_t end = gtext.find('\n', pos);
      if (end == std::string::npos) end = gtext.size();
      std::string line = gtext.substr(pos, end - pos);
      pos = end + 1;
      size_t bar = line.find('|');
      if (bar == std::string::npos) continue;
      genres.push_back("genre " + line.substr(0, bar));
    }
  }
  ML_ASSIGN_OR_RETURN(std::string text, read_file(item_path));
  std::vector<std::string> out(static_cast<size_t>(items.size()));
  size_t pos = 0;
  int64_t line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string row = text.substr(pos, end - pos);
    pos = end + 1;
    if (row.empty() || row == "\r") continue;
    std::vector<std::string> f;
    size_t s = 0;
    while (true) {
      size_t b = row.find('|', s);
      f.push_back(row.substr(s, b == std::string::npos ? std::string::npos : b - s));
      if (b == std::string::npos) break;
      s = b + 1;
    }
    if (f.size() < 5) {
      return data_error(item_path + ":" + std::to_string(line) + ": expected 'id|title|date|video date|url|genres', got " +
                        std::to_string(f.size()) + " fields");
    }
    const int32_t idx = items.find(f[0]);
    if (idx < 0) continue;  // a movie nobody rated
    std::string t = f[1];
    if (with_genres) {
      for (size_t g = 0; g < genres.size() && 5 + g < f.size(); ++g) {
        if (f[5 + g].rfind('1', 0) == 0) t += " " + genres[g];
      }
    }
    out[static_cast<size_t>(idx)] = t;
  }
  return out;
}

Result<ColdStartResult> evaluate_cold_start(const SequenceData& data, const ItemEmbeddings& emb,
                                            const ColdStartOptions& opt) {
  const int32_t n_items = data.n_items();
  if (emb.rows.size() != static_cast<size_t>(n_items) * static_cast<size_t>(emb.dim)) {
    return invalid_argument("item embeddings do not match the data's item count");
  }
  if (!(opt.cold_fraction > 0 && opt.cold_fraction < 1)) {
    return invalid_argument("cold_fraction " + std::to_string(opt.cold_fraction) + ", expected in (0, 1)");
  }
  Rng rng(opt.seed);
  std::vector<int32_t> order(static_cast<size_t>(n_items));
  for (int32_t i = 0; i < n_items; ++i) order[static_cast<size_t>(i)] = i;
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  const auto n_cold = static_cast<size_t>(opt.cold_fraction * n_items);
  std::vector<char> cold(static_cast<size_t>(n_items), 0);
  std::vector<int32_t> cold_items(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_cold));
  std::sort(cold_items.begin(), cold_items.end());
  for (int32_t i : cold_items) cold[static_cast<size_t>(i)] = 1;
  // The oracle reference: how often each cold item occurs (in held-out data).
  std::vector<float> cold_pop(static_cast<size_t>(n_items), 0.0f);
  for (const auto& s : data.seqs) {
    for (int32_t i : s) cold_pop[static_cast<size_t>(i)] += cold[static_cast<size_t>(i)] ? 1.0f : 0.0f;
  }
  ColdStartResult r;
  r.n_cold_items = static_cast<int64_t>(n_cold);
  std::vector<int32_t> cand;
  std::vector<float> scores, others;
  for (const auto& seq : data.seqs) {
    size_t t = seq.size();
    while (t-- > 0 && !cold[static_cast<size_t>(seq[t])]) {
    }
    if (t >= seq.size() || t == 0) continue;  // no cold item, or nothing before it
    const int32_t target = seq[t];
    std::span<const int32_t> history(seq.data(), t);
    std::vector<int32_t> seen(history.begin(), history.end());
    std::sort(seen.begin(), seen.end());
    cand.clear();
    for (int32_t i : cold_items) {
      if (i == target || !std::binary_search(seen.begin(), seen.end(), i)) cand.push_back(i);
    }
    scores.resize(cand.size());
    content_scores(emb, history, opt.history_len, opt.decay, cand, scores);
    auto rank = [&](auto score_of) {
      float ts = 0;
      others.clear();
      for (size_t j = 0; j < cand.size(); ++j) {
        if (cand[j] == target) ts = score_of(j);
        else others.push_back(score_of(j));
      }
      return count_rank(ts, others);
    };
    const RankCounts rc = rank([&](size_t j) { return scores[j]; });
    r.hr += hit_rate_at_k(rc, opt.k);
    r.ndcg += ndcg_at_k(rc, opt.k);
    const RankCounts rr{0, static_cast<int64_t>(cand.size()) - 1};  // all tied = random order
    r.random_hr += hit_rate_at_k(rr, opt.k);
    r.random_ndcg += ndcg_at_k(rr, opt.k);
    const RankCounts ro = rank([&](size_t j) { return cold_pop[static_cast<size_t>(cand[j])]; });
    r.oracle_pop_hr += hit_rate_at_k(ro, opt.k);
    r.oracle_pop_ndcg += ndcg_at_k(ro, opt.k);
    ++r.n_users;
  }
  if (r.n_users == 0) return invalid_argument("no user interacted with a cold item after another item");
  const auto n = static_cast<double>(r.n_users);
  r.hr /= n;
  r.ndcg /= n;
  r.random_hr /= n;
  r.random_ndcg /= n;
  r.oracle_pop_hr /= n;
  r.oracle_pop_ndcg /= n;
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "cold start: %lld held-out items (%.0f%%, seed %llu); each user's last cold item ranked among the "
                "cold items not in their history; %lld users",
                static_cast<long long>(n_cold), opt.cold_fraction * 100, static_cast<unsigned long long>(opt.seed),
                static_cast<long long>(r.n_users));
  r.description = buf;
  return r;
}

}  // namespace marketlm::recsys
