#include "cli/adcopy_model.h"

#include <cstdlib>
#include <filesystem>

#include "cli/model_dir.h"
#include "marketlm/core/file_io.h"

namespace marketlm::cli {
namespace fs = std::filesystem;

std::string default_adcopy_model(adcopy::Language lang) {
  std::error_code ec;
  if (lang == adcopy::Language::kEn && fs::is_directory(kDefaultAdcopyModelEn, ec)) return kDefaultAdcopyModelEn;
  return kDefaultAdcopyModel;
}

void add_adcopy_model_flags(CLI::App* cmd, AdcopyModelFlags& f) {
  cmd->add_option("--model", f.model,
                  "Model directory, or a training run directory (its latest checkpoint); default: " +
                      std::string(kDefaultAdcopyModel) + ", or " + kDefaultAdcopyModelEn + " for English briefs");
  cmd->add_option("--tokenizer", f.tokenizer, "Tokenizer directory (default: the model directory)");
  cmd->add_option("--threads", f.threads, "Threads for the model (0 = every core)")->capture_default_str();
}

void add_adcopy_sampling_flags(CLI::App* cmd, adcopy::GenerateOptions& g) {
  cmd->add_option("--temperature", g.temperature, "Sampling temperature")->capture_default_str();
  cmd->add_option("--top-p", g.top_p, "Nucleus sampling: keep the smallest set of tokens with this much probability")
      ->capture_default_str();
  cmd->add_option("--top-k", g.top_k, "Keep the k most likely tokens (0 = off)")->capture_default_str();
  cmd->add_option("--repetition-penalty", g.repetition_penalty, "Penalty for tokens already used (1 = off)")
      ->capture_default_str();
  cmd->add_option("--seed", g.seed, "Sampling seed: the same seed, model and threads give the same copy")
      ->capture_default_str();
  cmd->add_option("--max-new-tokens", g.max_new_tokens,
                  "Token budget per text (0 = twice the field's limit + 16, capped by the context)")
      ->capture_default_str();
  cmd->add_option("--min-length", g.min_length,
                  "Shortest text a field may end with, in its unit (characters, or width for width-limited "
                  "channels); 0 = off")
      ->capture_default_str();
  cmd->add_option("--oversample", g.oversample, "Candidates sampled per text still needed (reranked)")
      ->capture_default_str();
  cmd->add_option("--feature-boost", g.feature_boost,
                  "Logit bonus for tokens that start or continue a brief feature not yet written (0 = off)")
      ->capture_default_str();
  cmd->add_option("--feature-continue-scale", g.feature_continue_scale,
                  "Bonus for tokens that continue a started feature, as a multiple of --feature-boost")
      ->capture_default_str();
  cmd->add_option("--feature-max-starts", g.feature_max_starts,
                  "Starts of each feature the boost helps (its first character already this often in the text: no more)")
      ->capture_default_str();
  cmd->add_option("--coverage-weight", g.coverage_weight,
                  "Candidate ranking: mean log-likelihood per token + this x feature coverage")
      ->capture_default_str();
  cmd->add_option_function<std::string>(
         "--target-opening",
         [&g](const std::string& v) {
           auto t = adcopy::parse_target_opening(v);
           if (!t.is_ok()) throw CLI::ValidationError(t.status().message());
           g.target_opening = *t;
         },
         "Which brief targets open the copy (提供高质量的办公用品，...): offers (a target that says what is "
         "offered: 提供..., 为您..., offer...), always, or off")
      ->type_name("off|offers|always")
      ->default_str(adcopy::target_opening_name(g.target_opening));
  cmd->add_option("--opening-feature-boost", g.opening_feature_boost,
                  "--feature-boost for copy that starts from the target")
      ->capture_default_str();
}

Result<std::unique_ptr<LoadedAdcopyModel>> load_adcopy_model(const AdcopyModelFlags& f) {
  std::error_code ec;
  if (f.model.empty() || !fs::is_directory(f.model, ec)) {
    const std::string what = f.model.empty() ? "no --model given" : "no model directory '" + f.model + "'";
    return not_found(what + ": run `make model` to build the default ad-copy model (" +
                     std::string(kDefaultAdcopyModel) + "), or pass --model DIR");
  }
  auto out = std::make_unique<LoadedAdcopyModel>();
  out->dir = resolve_model_dir(f.model);
  if (!fs::exists(fs::path(out->dir) / "config.json", ec))
    return not_found("'" + f.model + "' is not a model directory (no config.json): run `make model` to build the "
                     "default ad-copy model, or pass --model DIR");
  const std::string tok_dir = f.tokenizer.empty() ? out->dir : f.tokenizer;
  auto tok = Tokenizer::from_pretrained(tok_dir);
  if (!tok.is_ok()) {
    const std::string hint = f.tokenizer.empty() ? " (the model directory has no tokenizer files; pass --tokenizer DIR)" : "";
    return Status(tok.status().code(), tok.status().message() + hint);
  }
  out->tokenizer = std::move(*tok);
  ModelOptions mo;
  mo.threads = f.threads;
  if (const char* isa = std::getenv("MARKETLM_ISA")) mo.isa = isa;
  auto model = Model::from_pretrained(out->dir, mo);
  if (!model.is_ok()) return model.status();
  out->model = std::make_unique<Model>(std::move(*model));
  auto gen = adcopy::AdcopyGenerator::create(&out->model->decoder(), &out->tokenizer);
  if (!gen.is_ok()) return gen.status().with_context(out->dir);
  out->generator = std::make_unique<adcopy::AdcopyGenerator>(std::move(*gen));
  return out;
}

}  // namespace marketlm::cli
