// marketlm eval adcopy: scores ad copy on held-out brief -> copy pairs:
// the model's own copies (--model DIR: one copy per brief, generated with
// the same constrained decoding as `marketlm adcopy`), a predictions file,
// and the retrieval and template baselines, side by side.
//   marketlm eval adcopy --data data/adcopy/adgen_eval.jsonl --model models/adcopy-zh --baselines [--limit N] [--json]
//     [--compare LABEL:key=value,...]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>
#include <nlohmann/json.hpp>

#include "cli/adcopy_model.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "marketlm/apps/adcopy/evaluation.h"
#include "marketlm/apps/adcopy/report.h"
#include "marketlm/apps/adcopy/rules.h"
#include "marketlm/core/file_io.h"

namespace marketlm::cli {
namespace {

namespace ac = marketlm::adcopy;
using nlohmann::json;

using ScoreFn = std::function<Status(const std::string&, const std::vector<std::string>&)>;

// One copy per brief from the loaded model with options `gen`, scored as
// row `system` (which gets its tokens/s); predictions saved when `save` is set.
template <class Opts>
Status eval_with_model(const Opts& o, const LoadedAdcopyModel& loaded, const ac::GenerateOptions& gen,
                       const std::string& system, const std::string& save, const std::vector<ac::AdPair>& data,
                       const ScoreFn& score, std::vector<std::pair<std::string, ac::AdcopyMetrics>>* rows) {
  ProgressBar bar(!o.json);
  ProgressSink sink = bar.sink();
  std::vector<std::string> preds;
  std::string saved;
  int64_t tokens = 0;
  double secs = 0;
  size_t missing = 0, passed = 0;
  const std::string stage = "generate " + system;
  for (size_t i = 0; i < data.size(); ++i) {
    ac::GenerateOptions g = gen;
    g.num_variants = 1;
    g.seed = gen.seed + i;  // each brief its own stream, the same on every run
    const auto t0 = std::chrono::steady_clock::now();
    auto r = loaded.generator->generate(data[i].brief, g);
    secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r) return r.status().with_context(o.data + " pair " + std::to_string(i + 1) + " (" + data[i].id + ")");
    tokens += r->stats.generated_tokens;
    std::string text = r->variants.empty() ? std::string() : r->variants[0].joined();
    missing += r->variants.empty() ? 1 : 0;
    if (!r->variants.empty()) {
      auto ch = ac::find_channel(data[i].brief.channel);
      if (ch && ac::validate_variant(**ch, ac::WordRules::from_brief(data[i].brief), r->variants[0]).all_passed())
        ++passed;
    }
    json line = {{"id", data[i].id}, {"prediction", text}};
    if (!r->variants.empty()) line["score"] = r->variants[0].score;
    saved += line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    preds.push_back(std::move(text));
    if (sink) sink(ProgressEvent{stage, static_cast<int64_t>(i + 1), static_cast<int64_t>(data.size()), {}, i + 1 == data.size()});
  }
  if (!save.empty()) ML_RETURN_IF_ERROR(write_file_atomic(save, saved));
  if (missing > 0)
    std::fprintf(stderr, "marketlm eval adcopy: warning: %s: no passing copy for %zu of %zu briefs (scored as empty)\n",
                 system.c_str(), missing, data.size());
  ML_RETURN_IF_ERROR(score(system, preds));
  rows->back().second.tokens_per_second = secs > 0 ? static_cast<double>(tokens) / secs : 0.0;
  // Every text of the variant against its field (evaluate_adcopy checks the first field only).
  rows->back().second.constraint_pass_rate = static_cast<double>(passed) / static_cast<double>(data.size());
  return Status::ok();
}

// --compare "LABEL:key=value,...": the options of the main model row with
// some changed; keys are the sampling flags' names without dashes in front.
Result<std::pair<std::string, ac::GenerateOptions>> parse_compare(const std::string& spec,
                                                                  const ac::GenerateOptions& base) {
  const size_t colon = spec.find(':');
  const std::string label = spec.substr(0, colon);
  if (label.empty() || label == "model" || label == "retrieval" || label == "template" || label == "predictions")
    return invalid_argument("--compare '" + spec + "': expected LABEL:key=value,... with a new row label "
                            "(not model/retrieval/template/predictions)");
  ac::GenerateOptions g = base;
  std::string rest = colon == std::string::npos ? std::string() : spec.substr(colon + 1);
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t comma = rest.find(',', pos);
    if (comma == std::string::npos) comma = rest.size();
    const std::string kv = rest.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t eq = kv.find('=');
    const std::string key = kv.substr(0, eq), val = eq == std::string::npos ? std::string() : kv.substr(eq + 1);
    double x = 0;
    size_t used = 0;
    try {
      x = std::stod(val, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (eq == std::string::npos || used == 0 || used != val.size())
      return invalid_argument("--compare '" + spec + "': '" + kv + "' is not key=number");
    if (key == "feature-boost") g.feature_boost = static_cast<float>(x);
    else if (key == "coverage-weight") g.coverage_weight = x;
    else if (key == "feature-continue-scale") g.feature_continue_scale = static_cast<float>(x);
    else if (key == "feature-max-starts") g.feature_max_starts = static_cast<int>(x);
    else if (key == "oversample") g.oversample = static_cast<int>(x);
    else if (key == "temperature") g.temperature = static_cast<float>(x);
    else if (key == "top-p") g.top_p = static_cast<float>(x);
    else if (key == "top-k") g.top_k = static_cast<int>(x);
    else if (key == "repetition-penalty") g.repetition_penalty = static_cast<float>(x);
    else if (key == "seed") g.seed = static_cast<uint64_t>(x);
    else if (key == "max-new-tokens") g.max_new_tokens = static_cast<int>(x);
    else if (key == "min-length") g.min_length = static_cast<int>(x);
    else if (key == "target-opening")
      g.target_opening = x == 0   ? ac::TargetOpening::kOff
                         : x == 1 ? ac::TargetOpening::kOffers
                                  : ac::TargetOpening::kAlways;
    else if (key == "opening-feature-boost") g.opening_feature_boost = static_cast<float>(x);
    else
      return invalid_argument("--compare '" + spec + "': unknown key '" + key + "'; expected feature-boost, "
                              "feature-continue-scale, feature-max-starts, coverage-weight, oversample, temperature, top-p, top-k, repetition-penalty, "
                              "seed, max-new-tokens, min-length, target-opening (0 off, 1 offers, 2 always) or opening-feature-boost");
  }
  ML_RETURN_IF_ERROR(g.validate().with_context("--compare '" + spec + "'"));
  return std::make_pair(label, g);
}

constexpr const char* kDefaultWordList = "/usr/share/dict/words";

}  // namespace

void register_eval_adcopy(CLI::App& eval, CliState& state) {
  struct Opts {
    std::string data, predictions, train = "data/adcopy/adgen_train.jsonl", jieba = ac::kDebianJiebaDict;
    std::string hmm_dir = ac::kDebianJiebaHmmDir;
    std::string save_predictions, word_list = kDefaultWordList;
    bool baselines = false, json = false, no_hmm = false;
    double tokens_per_second = -1;
    size_t limit = 0;
    AdcopyModelFlags model;
    ac::GenerateOptions gen;
    std::vector<std::string> compare;
  };
  auto o = std::make_shared<Opts>();
  o->gen.num_variants = 1;
  auto* cmd = eval.add_subcommand("adcopy", "Score ad copy: BLEU-4, ROUGE-1/2/L, distinct-n, feature coverage, rules");
  cmd->add_option("--data", o->data, "Reference pairs (JSONL), e.g. data/adcopy/adgen_eval.jsonl")->required();
  cmd->add_option("--predictions", o->predictions, "One prediction per data line: JSONL {\"prediction\": ...} or plain lines");
  cmd->add_flag("--baselines", o->baselines, "Also score the retrieval and template baselines");
  cmd->add_option("--train", o->train, "Training pairs the retrieval baseline searches")->capture_default_str();
  cmd->add_option("--jieba-dict", o->jieba, "jieba dictionary")->capture_default_str();
  cmd->add_option("--jieba-hmm-dir", o->hmm_dir, "jieba's HMM files (finalseg/prob_*.py)")->capture_default_str();
  cmd->add_flag("--no-hmm", o->no_hmm, "Segment words without jieba's HMM (jieba.lcut(s, HMM=False))");
  cmd->add_option("--tokens-per-second", o->tokens_per_second, "Generation speed to report beside the scores");
  cmd->add_flag("--json", o->json, "Machine-readable output");
  add_adcopy_model_flags(cmd, o->model);
  add_adcopy_sampling_flags(cmd, o->gen);
  cmd->add_option("--word-list", o->word_list,
                  "Word list for the English word rate (one word per line; Debian's wamerican; \"\" = off)")
      ->capture_default_str();
  cmd->add_option("--limit", o->limit, "Score only the first N pairs (every system on the same N)");
  cmd->add_option("--save-predictions", o->save_predictions, "Write the model's copies as JSONL {id, prediction, score}");
  cmd->add_option("--compare", o->compare,
                  "Another model row with some sampling options changed, e.g. "
                  "'before:feature-boost=0,oversample=2,coverage-weight=1000' (repeatable)");
  cmd->callback([o, &state] {
    const char* name = "eval adcopy";
    if (o->predictions.empty() && !o->baselines && o->model.model.empty()) {
      state.exit_code = report_error(name, invalid_argument("give --model DIR, --predictions FILE and/or --baselines"));
      return;
    }
    auto data = ac::load_pairs_jsonl(o->data);
    if (!data) {
      state.exit_code = report_error(name, data.status());
      return;
    }
    if (o->limit > 0 && data->size() > o->limit) data->resize(o->limit);
    if (data->empty()) {
      state.exit_code = report_error(name, data_error(o->data + ": no pairs to score"));
      return;
    }
    auto seg = ac::JiebaSegmenter::load(o->jieba);
    Status hmm_st = seg && !o->no_hmm ? seg->enable_hmm(o->hmm_dir) : Status::ok();
    if (!seg || !hmm_st) {
      state.exit_code = report_error(name, seg ? hmm_st : seg.status());
      return;
    }
    // The word list is optional: without it the English word rate is n/a.
    std::optional<std::unordered_set<std::string>> words;
    if (!o->word_list.empty()) {
      std::error_code ec;
      if (std::filesystem::exists(o->word_list, ec)) {
        auto w = ac::load_word_list(o->word_list);
        if (!w) {
          state.exit_code = report_error(name, w.status());
          return;
        }
        words = std::move(*w);
      } else if (o->word_list != kDefaultWordList) {
        state.exit_code = report_error(name, not_found("--word-list " + o->word_list + ": no such file"));
        return;
      }
    }
    std::vector<std::pair<std::string, ac::AdcopyMetrics>> rows;
    auto score = [&](const std::string& system, const std::vector<std::string>& preds) -> Status {
      ML_ASSIGN_OR_RETURN(auto m, ac::evaluate_adcopy(*data, preds, *seg, words ? &*words : nullptr));
      rows.emplace_back(system, m);
      return Status::ok();
    };
    std::vector<std::pair<std::string, ac::GenerateOptions>> compare;
    for (const std::string& spec : o->compare) {
      auto c = parse_compare(spec, o->gen);
      if (!c) {
        state.exit_code = report_error(name, c.status());
        return;
      }
      compare.push_back(std::move(*c));
    }
    if (!compare.empty() && o->model.model.empty()) {
      state.exit_code = report_error(name, invalid_argument("--compare needs --model DIR"));
      return;
    }
    if (!o->model.model.empty()) {
      auto loaded = load_adcopy_model(o->model);
      Status st = loaded ? eval_with_model(*o, **loaded, o->gen, "model", o->save_predictions, *data, score, &rows)
                         : loaded.status();
      for (size_t k = 0; st && k < compare.size(); ++k)
        st = eval_with_model(*o, **loaded, compare[k].second, compare[k].first, "", *data, score, &rows);
      if (!st) {
        state.exit_code = report_error(name, st);
        return;
      }
    }
    if (!o->predictions.empty()) {
      auto preds = ac::load_predictions(o->predictions);
      if (preds && o->limit > 0 && preds->size() > data->size()) preds->resize(data->size());
      Status st = preds ? score("predictions", *preds) : preds.status();
      if (!st) {
        state.exit_code = report_error(name, st);
        return;
      }
      rows.back().second.tokens_per_second = o->tokens_per_second;
    }
    if (o->baselines) {
      auto train = ac::load_pairs_jsonl(o->train);
      if (!train) {
        state.exit_code = report_error(name, train.status().with_context("--train"));
        return;
      }
      std::vector<std::string> retr, tmpl;
      for (const auto& p : *data) {
        retr.push_back(ac::retrieval_baseline(*train, p.brief));
        tmpl.push_back(ac::template_baseline(p.brief));
      }
      Status st = score("retrieval", retr);
      if (st) st = score("template", tmpl);
      if (!st) {
        state.exit_code = report_error(name, st);
        return;
      }
    }
    if (o->json) {
      json j = json::object();
      j["data"] = o->data;
      j["word_segmentation"] = o->no_hmm ? "jieba HMM=False" : "jieba HMM=True";
      if (o->limit > 0) j["limit"] = o->limit;
      if (!o->model.model.empty()) j["model_dir"] = o->model.model;
      for (const auto& [sys, m] : rows) j[sys] = json::parse(m.to_json());
      print_json(j);
    } else {
      std::printf("%-12s %5s %9s %9s %8s %8s %8s %7s %7s %8s %6s %6s %8s %6s %8s %8s\n", "system", "n", "BLEU4chr",
                  "BLEU4word", "ROUGE-1", "ROUGE-2", "ROUGE-L", "dist-1", "dist-2", "featcov", "rules",
                  "chars", "stutter", "buyer", "en-words", "tok/s");
      for (const auto& [sys, m] : rows) {
        char tps[32] = "-";
        if (m.tokens_per_second >= 0) std::snprintf(tps, sizeof tps, "%.0f", m.tokens_per_second);
        char enw[32] = "-";
        if (m.english_word_rate >= 0) std::snprintf(enw, sizeof enw, "%.3f", m.english_word_rate);
        std::printf("%-12s %5zu %9.2f %9.2f %8.2f %8.2f %8.2f %7.3f %7.3f %8.3f %6.3f %6.1f %8.3f %6.3f %8s %8s\n",
                    sys.c_str(), m.n, m.bleu4_chars, m.bleu4_corpus, m.rouge1, m.rouge2, m.rouge_l,
                    m.distinct1, m.distinct2, m.feature_coverage, m.constraint_pass_rate, m.mean_chars,
                    m.stutter_rate, m.buyer_voice_rate, enw, tps);
      }
    }
    state.exit_code = kExitOk;
  });
}

}  // namespace marketlm::cli
