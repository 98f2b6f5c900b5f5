// marketlm adcopy: ad copy from a product brief.
//   marketlm adcopy --target "提供高质量的办公用品" --features "低价格、高质量、多样化" -n 3
//   marketlm adcopy check --brief brief.json --copy "..."      (rules, lengths, formats)
//   marketlm adcopy prepare-data [--out data/adcopy]
//   marketlm eval adcopy --data FILE [--predictions FILE] [--baselines]
// Until the GPT model is wired in, `adcopy` validates the brief, prints the
// prompt(s) the model will get and exits 1 with "model not yet available".
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/apps/adcopy/evaluation.h"
#include "marketlm/apps/adcopy/prepare.h"
#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/apps/adcopy/report.h"
#include "marketlm/core/file_io.h"

namespace marketlm::cli {
namespace {

namespace ac = marketlm::adcopy;
using nlohmann::json;

struct BriefFlags {
  std::string brief_file, product, target, objective, features, audience, tone, channel, keywords,
      banned, lang;
};

void add_brief_flags(CLI::App* cmd, BriefFlags& f) {
  cmd->add_option("--brief", f.brief_file, "Brief as a JSON file (flags below override its fields)");
  cmd->add_option("--product", f.product, "Product or service, e.g. 办公用品");
  cmd->add_option("--target", f.target, "Goal in free text, e.g. 提供高质量的办公用品");
  cmd->add_option("--objective", f.objective, "Campaign objective: awareness, consideration, conversion");
  cmd->add_option("--features", f.features, "Selling points, separated by 、，,;； e.g. 低价格、高质量、多样化");
  cmd->add_option("--audience", f.audience, "Who the ad speaks to");
  cmd->add_option("--tone", f.tone, "Voice, e.g. 专业, playful");
  cmd->add_option("--channel", f.channel,
                  "Where it runs: " + ac::channel_names() + " (default generic)");
  cmd->add_option("--keywords", f.keywords, "Words the copy must contain (list)");
  cmd->add_option("--banned", f.banned, "Words the copy must not contain (list)");
  cmd->add_option("--lang", f.lang, "Language: zh, en or auto (default: from the brief's text)");
}

Result<ac::Brief> build_brief(const BriefFlags& f) {
  ac::Brief b;
  if (!f.brief_file.empty()) {
    auto text = read_file(f.brief_file);
    if (!text) return text.status();
    ML_ASSIGN_OR_RETURN(b, ac::parse_brief_json(*text, f.brief_file));
  }
  if (!f.product.empty()) b.product = ac::trim(f.product);
  if (!f.target.empty()) b.target = ac::trim(f.target);
  if (!f.objective.empty()) {
    auto o = ac::parse_objective(f.objective);
    if (!o) return o.status().with_context("--objective");
    b.objective = *o;
  }
  if (!f.features.empty()) b.features = ac::split_list(f.features);
  if (!f.audience.empty()) b.audience = ac::trim(f.audience);
  if (!f.tone.empty()) b.tone = ac::trim(f.tone);
  if (!f.channel.empty()) b.channel = ac::trim(f.channel);
  if (!f.keywords.empty()) b.keywords = ac::split_list(f.keywords);
  if (!f.banned.empty()) b.banned = ac::split_list(f.banned);
  if (!f.lang.empty()) {
    auto l = ac::parse_language(f.lang);
    if (!l) return l.status().with_context("--lang");
    b.language = *l;
  }
  ML_RETURN_IF_ERROR(ac::validate_brief(b));
  if (auto ch = ac::find_channel(b.channel)) b.channel = (*ch)->name;  // canonical name
  return b;
}

struct AdcopyOpts {
  BriefFlags brief;
  int n = 3;
  bool json = false;
  std::string csv;
};

struct CheckOpts {
  BriefFlags brief;
  std::vector<std::string> copies;
  std::string variants_file;
  bool json = false;
  std::string csv;
};

Result<std::vector<ac::AdVariant>> read_variants(const CheckOpts& o, const ac::ChannelPreset& ch) {
  std::vector<ac::AdVariant> out;
  for (const auto& c : o.copies) out.push_back(ac::AdVariant{{{ch.fields[0].name, c}}, 0.0});
  if (o.variants_file.empty()) return out;
  ML_ASSIGN_OR_RETURN(std::string text, read_file(o.variants_file));
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string where = o.variants_file + ":" + std::to_string(line_no);
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      return data_error(where + ": malformed JSON: " + e.what());
    }
    ac::AdVariant v;
    if (j.is_object() && j.contains("score") && j["score"].is_number()) v.score = j["score"].get<double>();
    if (j.is_object() && j.contains("text") && j["text"].is_string()) {
      v.parts.push_back({ch.fields[0].name, j["text"].get<std::string>()});
    } else if (j.is_object() && j.contains("parts") && j["parts"].is_array()) {
      for (const auto& p : j["parts"]) {
        if (!p.is_object() || !p.contains("field") || !p["field"].is_string() || !p.contains("text") ||
            !p["text"].is_string())
          return data_error(where + ": each of 'parts' needs string 'field' and 'text'");
        v.parts.push_back({p["field"].get<std::string>(), p["text"].get<std::string>()});
      }
    } else {
      return data_error(where + ": expected {\"text\": ...} or {\"parts\": [{\"field\", \"text\"}]}");
    }
    out.push_back(std::move(v));
  }
  return out;
}

void register_check(CLI::App* parent, CliState& state) {
  auto o = std::make_shared<CheckOpts>();
  auto* cmd = parent->add_subcommand(
      "check", "Check given copy against a brief: lengths, rules, features; print text, JSON or CSV");
  add_brief_flags(cmd, o->brief);
  cmd->add_option("--copy", o->copies, "A copy text to check (repeatable; first field of the channel)");
  cmd->add_option("--variants", o->variants_file,
                  "JSONL of variants: {\"text\": ...} or {\"parts\": [{\"field\": ..., \"text\": ...}], \"score\": x}");
  cmd->add_flag("--json", o->json, "Machine-readable output");
  cmd->add_option("--csv", o->csv, "Also write the variants as CSV to this file (Ads Editor columns for google_rsa)");
  cmd->callback([o, &state] {
    auto brief = build_brief(o->brief);
    if (!brief) {
      state.exit_code = report_error("adcopy check", brief.status());
      return;
    }
    const ac::ChannelPreset& ch = **ac::find_channel(brief->channel);
    auto variants = read_variants(*o, ch);
    if (!variants) {
      state.exit_code = report_error("adcopy check", variants.status());
      return;
    }
    if (variants->empty()) {
      state.exit_code = report_error("adcopy check", invalid_argument("nothing to check: give --copy or --variants"));
      return;
    }
    auto reports = ac::assess_variants(*brief, *variants);
    if (!reports) {
      state.exit_code = report_error("adcopy check", reports.status());
      return;
    }
    if (!o->csv.empty()) {
      Status st = write_file_atomic(o->csv, ac::format_csv(ch, *reports));
      if (!st) {
        state.exit_code = report_error("adcopy check", st);
        return;
      }
    }
    if (o->json) {
      print_json(json::parse(ac::format_json(*brief, *reports)));
    } else {
      std::string s = ac::format_text(*reports);
      std::fwrite(s.data(), 1, s.size(), stdout);
    }
    bool all = true;
    for (const auto& r : *reports) all = all && r.passed();
    state.exit_code = all ? kExitOk : kExitFailure;
  });
}

void register_prepare(CLI::App* parent, CliState& state) {
  auto o = std::make_shared<ac::PrepareOptions>();
  auto json_out = std::make_shared<bool>(false);
  auto* cmd = parent->add_subcommand(
      "prepare-data", "Build ad-copy training files from ../shared/data (ADGEN pairs + held-out split, review pairs, corpus)");
  cmd->add_option("--data-dir", o->data_dir, "Folder with advertisegen/, chinese_reviews/, lexicons/, womens_clothing_reviews_sample/")->capture_default_str();
  cmd->add_option("--out", o->out_dir, "Output folder")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the held-out split")->capture_default_str();
  cmd->add_option("--eval-fraction", o->eval_fraction, "Fraction of ADGEN held out")->capture_default_str();
  cmd->add_option("--features-per-review", o->features_per_review, "TF-IDF terms per review brief")->capture_default_str();
  cmd->add_option("--max-reviews", o->max_reviews, "Read at most this many shopping reviews (0 = all)")->capture_default_str();
  cmd->add_option("--jieba-dict", o->jieba_dict, "jieba dictionary (Debian python3-jieba's dict.txt)")->capture_default_str();
  cmd->add_option("--english-csv", o->english_csv,
                  "English reviews CSV under --data-dir for english_pairs.jsonl (\"\" to skip)")->capture_default_str();
  cmd->add_option("--english-min-rating", o->english_min_rating, "Lowest rating that makes an English pair")->capture_default_str();
  cmd->add_flag("--json", *json_out, "Machine-readable summary");
  cmd->callback([o, json_out, &state] {
    ProgressBar bar(!*json_out);
    Logger log = Logger::to_stderr();
    auto sum = ac::prepare_adcopy_data(*o, log, bar.sink());
    if (!sum) {
      state.exit_code = report_error("adcopy prepare-data", sum.status());
      return;
    }
    if (*json_out) {
      print_json(json::parse(sum->to_json()));
    } else {
      std::printf("ADGEN: %zu pairs -> %zu train, %zu held out (seed %llu)\n", sum->adgen_total,
                  sum->adgen_train, sum->adgen_eval, static_cast<unsigned long long>(o->seed));
      std::printf("reviews: %zu read -> %zu feature->review pairs; corpus: %zu lines\n",
                  sum->reviews_read, sum->review_pairs, sum->corpus_lines);
      if (!o->english_csv.empty())
        std::printf("English clothing reviews: %zu read -> %zu pairs\n", sum->english_reviews_read,
                    sum->english_pairs);
      for (const auto& f : sum->files) std::printf("wrote %s\n", f.c_str());
    }
    state.exit_code = kExitOk;
  });
}

}  // namespace

void register_adcopy(CLI::App& app, CliState& state) {
  auto o = std::make_shared<AdcopyOpts>();
  auto* cmd = app.add_subcommand("adcopy", "Write ad copy from a product brief");
  add_brief_flags(cmd, o->brief);
  cmd->add_option("-n,--num-return-sequences", o->n, "Number of distinct variants")->capture_default_str();
  cmd->add_flag("--json", o->json, "Machine-readable output");
  cmd->add_option("--csv", o->csv, "Also write the variants as CSV to this file");
  register_check(cmd, state);
  register_prepare(cmd, state);
  cmd->callback([cmd, o, &state] {
    if (!cmd->get_subcommands().empty()) return;  // check / prepare-data ran instead
    if (o->n < 1) {
      state.exit_code = report_error("adcopy", invalid_argument("-n must be at least 1, got " + std::to_string(o->n)));
      return;
    }
    auto brief = build_brief(o->brief);
    if (!brief) {
      state.exit_code = report_error("adcopy", brief.status());
      return;
    }
    std::vector<ac::FieldPrompt> prompts = ac::render_channel_prompts(*brief);
    if (o->json) {
      json j;
      j["brief"] = json::parse(ac::brief_to_json(*brief));
      j["language"] = ac::language_name(ac::resolved_language(*brief));
      j["num_return_sequences"] = o->n;
      j["prompts"] = json::array();
      for (const auto& p : prompts) j["prompts"].push_back({{"field", p.field}, {"prompt", p.prompt}});
      j["variants"] = json::array();
      j["error"] = "model not yet available";
      print_json(j);
    } else {
      std::printf("brief ok (channel %s, language %s); prompt%s for the model:\n", brief->channel.c_str(),
                  ac::language_name(ac::resolved_language(*brief)), prompts.size() > 1 ? "s" : "");
      for (const auto& p : prompts) std::printf("--- %s ---\n%s\n", p.field.c_str(), p.prompt.c_str());
    }
    state.exit_code = report_error(
        "adcopy", failed_precondition("model not yet available: the default GPT model is not wired "
                                      "into adcopy yet; the brief above is valid"));
  });
}

void register_eval_adcopy(CLI::App& eval, CliState& state) {
  struct Opts {
    std::string data, predictions, train = "data/adcopy/adgen_train.jsonl", jieba = ac::kDebianJiebaDict;
    std::string hmm_dir = ac::kDebianJiebaHmmDir;
    bool baselines = false, json = false, no_hmm = false;
    double tokens_per_second = -1;
  };
  auto o = std::make_shared<Opts>();
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
  cmd->callback([o, &state] {
    const char* name = "eval adcopy";
    if (o->predictions.empty() && !o->baselines) {
      state.exit_code = report_error(name, invalid_argument("give --predictions FILE and/or --baselines"));
      return;
    }
    auto data = ac::load_pairs_jsonl(o->data);
    if (!data) {
      state.exit_code = report_error(name, data.status());
      return;
    }
    auto seg = ac::JiebaSegmenter::load(o->jieba);
    Status hmm_st = seg && !o->no_hmm ? seg->enable_hmm(o->hmm_dir) : Status::ok();
    if (!seg || !hmm_st) {
      state.exit_code = report_error(name, seg ? hmm_st : seg.status());
      return;
    }
    std::vector<std::pair<std::string, ac::AdcopyMetrics>> rows;
    auto score = [&](const std::string& system, const std::vector<std::string>& preds) -> Status {
      ML_ASSIGN_OR_RETURN(auto m, ac::evaluate_adcopy(*data, preds, *seg));
      rows.emplace_back(system, m);
      return Status::ok();
    };
    if (!o->predictions.empty()) {
      auto preds = ac::load_predictions(o->predictions);
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
      for (const auto& [sys, m] : rows) j[sys] = json::parse(m.to_json());
      print_json(j);
    } else {
      std::printf("%-12s %5s %9s %9s %8s %8s %8s %7s %7s %8s %6s %6s\n", "system", "n", "BLEU4chr",
                  "BLEU4word", "ROUGE-1", "ROUGE-2", "ROUGE-L", "dist-1", "dist-2", "featcov", "rules",
                  "chars");
      for (const auto& [sys, m] : rows)
        std::printf("%-12s %5zu %9.2f %9.2f %8.2f %8.2f %8.2f %7.3f %7.3f %8.3f %6.3f %6.1f\n",
                    sys.c_str(), m.n, m.bleu4_chars, m.bleu4_corpus, m.rouge1, m.rouge2, m.rouge_l,
                    m.distinct1, m.distinct2, m.feature_coverage, m.constraint_pass_rate, m.mean_chars);
    }
    state.exit_code = kExitOk;
  });
}

}  // namespace marketlm::cli
