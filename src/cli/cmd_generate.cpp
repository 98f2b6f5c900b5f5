// `marketlm generate`: text continuations from a model directory, with every
// Hugging Face decoding option as a flag. The directory's
// generation_config.json gives the defaults; flags given on the command line
// override them.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/model_dir.h"
#include "cli/output.h"
#include "marketlm/core/file_io.h"
#include "marketlm/generate/attention_export.h"
#include "marketlm/generate/constraints.h"
#include "marketlm/generate/model.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm::cli {
namespace {

// Used when neither the flags nor generation_config.json set a length.
constexpr int kDefaultNewTokens = 50;

struct GenerateOpts {
  std::string model, prompt, tokenizer, attention_out;
  int n = 1, max_new_tokens = 0, min_new_tokens = 0, max_length = 0, top_k = 0, no_repeat_ngram_size = 0, num_beams = 1;
  int logprobs = 0, threads = 0;
  float temperature = 1, top_p = 1, min_p = 0, typical_p = 1, repetition_penalty = 1, length_penalty = 1;
  uint64_t seed = 0;
  std::vector<std::string> stop, bad_words, force_words;
  bool do_sample = false, greedy = false, distinct = false, stream = false, json = false;
  std::map<std::string, CLI::Option*> opt;
};

bool given(const GenerateOpts& o, const std::string& name) {
  auto it = o.opt.find(name);
  return it != o.opt.end() && it->second->count() > 0;
}

// generation_config.json defaults, overridden by the flags that were given.
Result<GenerationConfig> build_config(const GenerateOpts& o, const Model& model, const Tokenizer& tok,
                                      int prompt_len) {
  GenerationConfig c = model.generation_config();
  const GenerationConfig defaults;
  if (given(o, "max-new-tokens")) c.max_new_tokens = o.max_new_tokens;
  if (given(o, "max-length")) {
    c.max_length = o.max_length;
    if (!given(o, "max-new-tokens")) c.max_new_tokens.reset();  // the flag the user gave decides
  }
  if (!c.max_new_tokens && c.max_length == defaults.max_length && !given(o, "max-length")) {
    // Neither the directory nor the flags chose a length: a useful amount of
    // text that still fits the context.
    c.max_new_tokens = std::max(1, std::min(kDefaultNewTokens, model.n_ctx() - prompt_len));
  }
  if (given(o, "num-return-sequences")) c.num_return_sequences = o.n;
  if (o.do_sample) c.do_sample = true;
  if (o.greedy) c.do_sample = false;
  if (given(o, "temperature")) c.temperature = o.temperature;
  if (given(o, "top-k")) c.top_k = o.top_k;
  if (given(o, "top-p")) c.top_p = o.top_p;
  if (given(o, "min-p")) c.min_p = o.min_p;
  if (given(o, "typical-p")) c.typical_p = o.typical_p;
  if (given(o, "repetition-penalty")) c.repetition_penalty = o.repetition_penalty;
  if (given(o, "no-repeat-ngram-size")) c.no_repeat_ngram_size = o.no_repeat_ngram_size;
  if (given(o, "min-new-tokens")) c.min_new_tokens = o.min_new_tokens;
  if (given(o, "num-beams")) c.num_beams = o.num_beams;
  if (given(o, "length-penalty")) c.length_penalty = o.length_penalty;
  if (given(o, "seed")) c.seed = o.seed;
  if (given(o, "stop")) c.stop_strings = o.stop;
  if (o.distinct) c.distinct_variants = true;
  if (given(o, "logprobs")) {
    if (o.logprobs < 0) return invalid_argument("--logprobs must be >= 0, got " + std::to_string(o.logprobs));
    c.output_logprobs = true;
    c.top_logprobs = o.logprobs;
  }
  EncodeFn encode = [&tok](const std::string& w) { return tok.encode(w); };
  for (const auto& w : o.bad_words)
    if (w.empty()) return invalid_argument("--bad-words: an empty word");
  for (const auto& w : o.force_words)
    if (w.empty()) return invalid_argument("--force-words: an empty word");
  if (!o.bad_words.empty()) {
    auto ids = bad_words_ids_for(o.bad_words, encode);
    c.bad_words_ids.insert(c.bad_words_ids.end(), ids.begin(), ids.end());
    c.bad_words.insert(c.bad_words.end(), o.bad_words.begin(), o.bad_words.end());
  }
  if (!o.force_words.empty()) {
    auto ids = force_words_ids_for(o.force_words, encode);
    c.force_words_ids.insert(c.force_words_ids.end(), ids.begin(), ids.end());
  }
  // Settings that contradict each other get a message in the CLI's own terms.
  if (!c.do_sample && c.num_beams == 1 && c.num_return_sequences > 1)
    return invalid_argument("greedy decoding gives one sequence, but -n " + std::to_string(c.num_return_sequences) +
                            " asks for more: add --do-sample, or --num-beams >= -n");
  if (c.num_beams > 1 && c.num_return_sequences > c.num_beams)
    return invalid_argument("-n " + std::to_string(c.num_return_sequences) + " is more than --num-beams " +
                            std::to_string(c.num_beams));
  if (o.stream && c.num_beams > 1)
    return invalid_argument("--stream works with greedy decoding and sampling, not beam search (--num-beams " +
                            std::to_string(c.num_beams) + ")");
  if (o.stream && !o.json && c.num_return_sequences > 1)
    return invalid_argument("--stream prints one sequence as text; with -n " +
                            std::to_string(c.num_return_sequences) + " add --json for one event per line");
  ML_RETURN_IF_ERROR(c.validate());
  return c;
}

// A JSON string with any invalid UTF-8 (half a character cut at a token
// boundary) replaced by U+FFFD, so dumping never throws.
nlohmann::json utf8_json(const std::string& s) {
  return nlohmann::json::parse(nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

nlohmann::json choice_json(const GeneratedSequence& s, int index, const Tokenizer& tok, bool logprobs) {
  nlohmann::json tokens = nlohmann::json::array();
  for (int32_t id : s.token_ids) tokens.push_back(utf8_json(tok.id_to_bytes(id)));
  nlohmann::json j = {{"index", index},
                      {"text", utf8_json(s.text)},
                      {"tokens", tokens},
                      {"token_ids", s.token_ids},
                      {"finish_reason", finish_reason_openai(s.finish_reason)},
                      {"finish_detail", finish_reason_name(s.finish_reason)},
                      {"score", s.score}};
  if (!s.force_words_met) j["force_words_met"] = false;
  if (s.duplicate_of >= 0) j["duplicate_of"] = s.duplicate_of;
  if (logprobs) {
    nlohmann::json lp = {{"token_logprobs", nlohmann::json::array()}, {"top_logprobs", nlohmann::json::array()}};
    for (const GeneratedToken& t : s.tokens) {
      lp["token_logprobs"].push_back(t.logprob);
      nlohmann::json top = nlohmann::json::array();
      for (const TokenLogprob& a : t.top) {
        top.push_back({{"token", utf8_json(tok.id_to_bytes(a.token))}, {"token_id", a.token}, {"logprob", a.logprob}});
      }
      lp["top_logprobs"].push_back(top);
    }
    j["logprobs"] = lp;
  } else {
    j["logprobs"] = nullptr;
  }
  return j;
}

int run_generate(const GenerateOpts& o) {
  namespace fs = std::filesystem;
  if (o.prompt.empty()) return report_error("generate", invalid_argument("--prompt is empty: give some text to continue"));
  std::error_code ec;
  if (!fs::is_directory(o.model, ec))
    return report_error("generate", not_found("--model " + o.model + ": no such model directory"));
  const std::string model_dir = resolve_model_dir(o.model);
  const std::string tok_dir = o.tokenizer.empty() ? model_dir : o.tokenizer;
  auto tok = Tokenizer::from_pretrained(tok_dir);
  if (!tok.is_ok()) {
    std::string hint = o.tokenizer.empty() ? " (the model directory has no tokenizer files; pass --tokenizer DIR)" : "";
    return report_error("generate", Status(tok.status().code(), tok.status().message() + hint));
  }
  ModelOptions mo;
  mo.threads = o.threads;
  if (const char* isa = std::getenv("MARKETLM_ISA")) mo.isa = isa;
  auto model = Model::from_pretrained(model_dir, mo);
  if (!model.is_ok()) return report_error("generate", model.status());
  if (tok->vocab_size() > model->vocab_size())
    return report_error("generate", failed_precondition("the tokenizer in " + tok_dir + " has " +
                                                        std::to_string(tok->vocab_size()) + " tokens but the model only " +
                                                        std::to_string(model->vocab_size())));
  std::vector<int32_t> ids = tok->encode(o.prompt);
  if (static_cast<int>(ids.size()) >= model->n_ctx())
    return report_error("generate", out_of_range("the prompt is " + std::to_string(ids.size()) +
                                                     " tokens; this model's context (n_ctx) is " +
                                                     std::to_string(model->n_ctx()) +
                                                     " tokens including the output: shorten the prompt"));
  auto config = build_config(o, *model, *tok, static_cast<int>(ids.size()));
  if (!config.is_ok()) return report_error("generate", config.status());

  GenerationHooks hooks;
  hooks.token_bytes = [&tok](int32_t id) { return tok->id_to_bytes(id); };
  if (o.stream) {
    if (!o.json) std::printf("%s", o.prompt.c_str());
    hooks.on_token = [&o](const StreamEvent& e) {
      if (o.json) {
        nlohmann::json j = {{"index", e.sequence}, {"token_id", e.token}, {"logprob", e.logprob},
                            {"finished", e.finished}, {"restarted", e.restarted},
                            {"text", utf8_json(std::string(e.text))}};
        std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      } else if (e.restarted) {
        std::printf("\n[redrawn]\n%s", o.prompt.c_str());
      } else {
        std::fwrite(e.text.data(), 1, e.text.size(), stdout);
      }
      std::fflush(stdout);
      return true;
    };
  }
  auto out = model->generate(ids, *config, hooks);
  if (!out.is_ok()) return report_error("generate", out.status());
  std::vector<std::string> attention_dirs;
  if (!o.attention_out.empty()) {
    // One directory per returned sequence: the prompt + its tokens.
    for (size_t i = 0; i < out->sequences.size(); ++i) {
      std::vector<int32_t> all = ids;
      const auto& gen = out->sequences[i].token_ids;
      all.insert(all.end(), gen.begin(), gen.end());
      auto maps = export_attention(model->gpt(), all, static_cast<int>(ids.size()),
                                   [&tok](int32_t id) { return tok->id_to_bytes(id); });
      if (!maps.is_ok()) return report_error("generate", maps.status());
      const std::string dir =
          out->sequences.size() == 1 ? o.attention_out : o.attention_out + "/sequence_" + std::to_string(i);
      const Status st = write_attention_export(*maps, dir);
      if (!st.is_ok()) return report_error("generate", st);
      attention_dirs.push_back(dir);
    }
    if (!o.json)
      std::fprintf(stderr, "attention of %zu sequence(s) written to %s (attention.json, layer_NN.svg)\n",
                   attention_dirs.size(), o.attention_out.c_str());
  }

  const bool want_lp = config->output_logprobs;
  if (o.json) {
    int completion = 0;
    nlohmann::json choices = nlohmann::json::array();
    for (size_t i = 0; i < out->sequences.size(); ++i) {
      choices.push_back(choice_json(out->sequences[i], static_cast<int>(i), *tok, want_lp));
      completion += static_cast<int>(out->sequences[i].token_ids.size());
    }
    nlohmann::json j = {{"object", "text_completion"},
                        {"model", model_dir},
                        {"prompt", utf8_json(o.prompt)},
                        {"choices", choices},
                        {"usage",
                         {{"prompt_tokens", out->prompt_tokens},
                          {"completion_tokens", completion},
                          {"total_tokens", out->prompt_tokens + completion}}}};
    if (!attention_dirs.empty()) j["attention_out"] = attention_dirs;
    if (o.stream) {
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    }
    return kExitOk;
  }
  if (o.stream) {
    std::printf("\n");
    return kExitOk;
  }
  for (size_t i = 0; i < out->sequences.size(); ++i) {
    const GeneratedSequence& s = out->sequences[i];
    if (out->sequences.size() > 1) std::printf("[%zu] ", i + 1);
    std::printf("%s%s\n", o.prompt.c_str(), s.text.c_str());
    if (want_lp) {
      for (size_t k = 0; k < s.tokens.size(); ++k)
        std::printf("    %-16s %8.4f\n", utf8_json(tok->id_to_bytes(s.tokens[k].token)).dump().c_str(),
                    s.tokens[k].logprob);
    }
    if (out->sequences.size() > 1 && i + 1 < out->sequences.size()) std::printf("\n");
  }
  return kExitOk;
}

}  // namespace

void register_generate(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("generate", "Continue a prompt with a trained model (greedy, sampling or beam search)");
  auto o = std::make_shared<GenerateOpts>();
  auto add = [&](const std::string& flags, auto& var, const std::string& help) {
    CLI::Option* opt = cmd->add_option(flags, var, help);
    o->opt[opt->get_name().substr(2)] = opt;
    return opt;
  };
  add("--model,-m", o->model, "Model directory (config.json, model.safetensors, generation_config.json), or a training run directory (its latest checkpoint)")->required();
  add("--prompt,-p", o->prompt, "Text to continue")->required();
  add("--tokenizer", o->tokenizer, "Tokenizer directory (default: the model directory)");
  add("--num-return-sequences,-n", o->n, "Continuations to return (needs --do-sample or --num-beams >= n)");
  add("--max-new-tokens", o->max_new_tokens, "New tokens at most (default 50, or generation_config.json)");
  add("--min-new-tokens", o->min_new_tokens, "New tokens before EOS may end a sequence (0 = off)");
  add("--max-length", o->max_length, "Prompt + new tokens at most (used when --max-new-tokens is not given)");
  cmd->add_flag("--do-sample", o->do_sample, "Sample instead of greedy / beam search");
  cmd->add_flag("--greedy", o->greedy, "Do not sample even if generation_config.json says so");
  add("--temperature", o->temperature, "Divide logits by this before sampling");
  add("--top-k", o->top_k, "Keep the k most likely tokens (0 = off)");
  add("--top-p", o->top_p, "Nucleus: smallest set with probability >= p (1 = off)");
  add("--min-p", o->min_p, "Drop tokens below min_p x the top probability (0 = off)");
  add("--typical-p", o->typical_p, "Locally typical sampling mass (1 = off)");
  add("--repetition-penalty", o->repetition_penalty, "CTRL repetition penalty (1 = off)");
  add("--no-repeat-ngram-size", o->no_repeat_ngram_size, "Never repeat an n-gram of this size (0 = off)");
  add("--num-beams", o->num_beams, "Beam search with this many beams (1 = off)");
  add("--length-penalty", o->length_penalty, "Beam score = sum logprob / length^this");
  add("--stop", o->stop, "Stop when the text contains this string (repeatable); it is cut from the output")
      ->allow_extra_args(false);
  add("--bad-words", o->bad_words, "Never produce this word (repeatable; all spellings/cases)")->allow_extra_args(false);
  add("--force-words", o->force_words, "Every output must contain this word (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--distinct", o->distinct, "Redraw near-duplicate variants (with -n > 1)");
  add("--logprobs", o->logprobs, "Return each token's logprob and the K best alternatives");
  add("--seed", o->seed, "Sampling seed (same seed + settings + threads = same text)");
  add("--threads", o->threads, "Worker threads (0 = all cores)");
  cmd->add_flag("--stream", o->stream, "Print tokens as they are generated (with --json: one event per line)");
  add("--attention-out", o->attention_out,
      "Write every layer's and head's attention over prompt + output to this directory: attention.json and "
      "layer_NN.svg heatmaps (one subdirectory per sequence when -n > 1)");
  cmd->add_flag("--json", o->json, "OpenAI-style JSON: choices with text, tokens, finish_reason, logprobs");
  cmd->callback([&state, o] { state.exit_code = run_generate(*o); });
}

}  // namespace marketlm::cli
