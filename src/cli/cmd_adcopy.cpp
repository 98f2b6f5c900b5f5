// marketlm adcopy: ad copy from a product brief.
//   marketlm adcopy --target "提供高质量的办公用品" --features "低价格、高质量、多样化" -n 3 [--model DIR]
//   marketlm adcopy check --brief brief.json --copy "..."      (rules, lengths, formats)
//   marketlm adcopy prepare-data [--out data/adcopy]
// (`marketlm eval adcopy` lives in cmd_eval_adcopy.cpp.)
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/adcopy_model.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "marketlm/apps/adcopy/brief.h"
#include "marketlm/apps/adcopy/evaluation.h"
#include "marketlm/apps/adcopy/prepare.h"
#include "marketlm/apps/adcopy/prompt.h"
#include "marketlm/apps/adcopy/report.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/lines.h"

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
  AdcopyModelFlags model;
  ac::GenerateOptions gen;
  bool json = false, print_prompt = false;
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
  ML_RETURN_IF_ERROR(for_each_line(text, [&](std::string_view line, size_t line_no) -> Status {
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
    return Status::ok();
  }));
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
  cmd->add_option("--english-eval", o->english_eval_txt,
                  "Labelled English sentences under --data-dir for the held-out english_eval.jsonl (\"\" to skip)")
      ->capture_default_str();
  cmd->add_flag("--drop-buyer-voice", o->drop_buyer_voice,
                "Leave out the review pairs whose copy speaks as a buyer (收到, 快递, 下次, 我...)");
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
      std::printf("reviews: %zu read -> %zu feature->review pairs; corpus: %zu lines\n", sum->reviews_read,
                  sum->review_pairs, sum->corpus_lines);
      if (o->drop_buyer_voice)
        std::printf("review pairs in a buyer's voice left out (--drop-buyer-voice): %zu\n",
                    sum->review_pairs_buyer_voice);
      if (!o->english_csv.empty())
        std::printf("English clothing reviews: %zu read -> %zu pairs\n", sum->english_reviews_read,
                    sum->english_pairs);
      if (!o->english_eval_txt.empty())
        std::printf("English held-out pairs (Amazon cell-phone sentences): %zu\n", sum->english_eval_pairs);
      for (const auto& f : sum->files) std::printf("wrote %s\n", f.c_str());
    }
    state.exit_code = kExitOk;
  });
}


int run_adcopy(const AdcopyOpts& o) {
  const char* name = "adcopy";
  auto brief = build_brief(o.brief);
  if (!brief) return report_error(name, brief.status());
  if (Status st = o.gen.validate(); !st) return report_error(name, st);
  const ac::ChannelPreset* ch = *ac::find_channel(brief->channel);
  if (o.print_prompt) {
    std::vector<ac::FieldPrompt> prompts = ac::render_channel_prompts(*brief);
    std::printf("brief ok (channel %s, language %s); prompt%s for the model:\n", brief->channel.c_str(),
                ac::language_name(ac::resolved_language(*brief)), prompts.size() > 1 ? "s" : "");
    for (const auto& p : prompts) std::printf("--- %s ---\n%s\n", p.field.c_str(), p.prompt.c_str());
    return kExitOk;
  }
  AdcopyModelFlags model_flags = o.model;
  if (model_flags.model.empty()) model_flags.model = default_adcopy_model(ac::resolved_language(*brief));
  auto loaded = load_adcopy_model(model_flags);
  if (!loaded) return report_error(name, loaded.status());
  const auto t0 = std::chrono::steady_clock::now();
  auto res = (*loaded)->generator->generate(*brief, o.gen);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!res) return report_error(name, res.status());
  auto reports = ac::assess_variants(*brief, res->variants);
  if (!reports) return report_error(name, reports.status());
  if (!o.csv.empty()) {
    Status st = write_file_atomic(o.csv, ac::format_csv(*ch, *reports));
    if (!st) return report_error(name, st);
  }
  const double tps = secs > 0 ? static_cast<double>(res->stats.generated_tokens) / secs : 0.0;
  if (o.json) {
    json j = json::parse(ac::format_json(*brief, *reports));
    j["model"] = (*loaded)->dir;
    j["language"] = ac::language_name(ac::resolved_language(*brief));
    j["num_return_sequences"] = o.gen.num_variants;
    j["seed"] = o.gen.seed;
    j["prompts"] = res->prompts;
    j["stats"] = {{"candidates", res->stats.candidates},       {"failed_checks", res->stats.failed_checks},
                  {"unfinished", res->stats.unfinished},       {"duplicates", res->stats.duplicates},
                  {"generated_tokens", res->stats.generated_tokens}, {"generate_calls", res->stats.generate_calls},
                  {"seconds", secs},                           {"tokens_per_second", tps}};
    if (!res->shortfall.empty()) j["shortfall"] = res->shortfall;
    print_json(j);
  } else {
    std::printf("%zu variant%s for channel %s (%s, model %s, seed %llu)\n", res->variants.size(),
                res->variants.size() == 1 ? "" : "s", brief->channel.c_str(),
                ac::language_name(ac::resolved_language(*brief)), (*loaded)->dir.c_str(),
                static_cast<unsigned long long>(o.gen.seed));
    std::string s = ac::format_text(*reports);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fprintf(stderr, "%d texts sampled (%d failed a rule, %d near duplicates) in %.1f s, %.0f tokens/s\n",
                 res->stats.candidates, res->stats.failed_checks, res->stats.duplicates, secs, tps);
  }
  if (!res->shortfall.empty()) std::fprintf(stderr, "marketlm adcopy: warning: %s\n", res->shortfall.c_str());
  return res->variants.empty() ? kExitFailure : kExitOk;
}

}  // namespace

void register_adcopy(CLI::App& app, CliState& state) {
  auto o = std::make_shared<AdcopyOpts>();
  auto* cmd = app.add_subcommand("adcopy", "Write ad copy from a product brief");
  add_brief_flags(cmd, o->brief);
  cmd->add_option("-n,--num-return-sequences", o->gen.num_variants, "Number of distinct variants")->capture_default_str();
  add_adcopy_model_flags(cmd, o->model);
  add_adcopy_sampling_flags(cmd, o->gen);
  cmd->add_flag("--print-prompt", o->print_prompt, "Validate the brief and print the prompt(s) the model gets; no model needed");
  cmd->add_flag("--json", o->json, "Machine-readable output");
  cmd->add_option("--csv", o->csv, "Also write the variants as CSV to this file (Ads Editor columns for google_rsa)");
  register_check(cmd, state);
  register_prepare(cmd, state);
  cmd->callback([cmd, o, &state] {
    if (!cmd->get_subcommands().empty()) return;  // check / prepare-data ran instead
    state.exit_code = run_adcopy(*o);
  });
}

}  // namespace marketlm::cli
