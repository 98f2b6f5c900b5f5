// generation_config.json in Hugging Face's format: read, write, load, save.
// nlohmann throws are caught here; nothing escapes.
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/generate/generation_config.h"

namespace marketlm {
namespace {

using json = nlohmann::json;

std::string type_name(const json& j) { return j.type_name(); }

Status wrong_type(const std::string& key, const json& v, const std::string& expected) {
  return invalid_argument("generation_config.json: field \"" + key + "\" is " + type_name(v) + " " +
                          v.dump() + "; expected " + expected);
}

bool fits_int32(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= 2147483647u;
  const int64_t x = v.get<int64_t>();
  return x >= -2147483647 - 1 && x <= 2147483647;
}

Status get_int(const json& v, const std::string& key, int* out) {
  if (!v.is_number_integer() || !fits_int32(v)) return wrong_type(key, v, "a 32-bit integer");
  *out = v.get<int>();
  return Status::ok();
}
Status get_float(const json& v, const std::string& key, float* out) {
  if (!v.is_number()) return wrong_type(key, v, "a number");
  *out = v.get<float>();
  return Status::ok();
}
Status get_bool(const json& v, const std::string& key, bool* out) {
  if (!v.is_boolean()) return wrong_type(key, v, "true or false");
  *out = v.get<bool>();
  return Status::ok();
}
Status get_ids(const json& v, const std::string& key, std::vector<int32_t>* out) {
  if (!v.is_array()) return wrong_type(key, v, "a list of token ids");
  out->clear();
  for (const auto& e : v) {
    if (!e.is_number_integer() || !fits_int32(e)) return wrong_type(key, v, "a list of integer token ids");
    out->push_back(e.get<int32_t>());
  }
  return Status::ok();
}

Status parse_field(const std::string& key, const json& v, GenerationConfig* c, bool* known) {
  *known = true;
  if (v.is_null()) {  // HF writes null for "unset"; keep the default
    if (key == "max_new_tokens") c->max_new_tokens.reset();
    return Status::ok();
  }
  if (key == "max_length") return get_int(v, key, &c->max_length);
  if (key == "max_new_tokens") {
    int n = 0;
    ML_RETURN_IF_ERROR(get_int(v, key, &n));
    c->max_new_tokens = n;
    return Status::ok();
  }
  if (key == "min_length") return get_int(v, key, &c->min_length);
  if (key == "min_new_tokens") return get_int(v, key, &c->min_new_tokens);
  if (key == "do_sample") return get_bool(v, key, &c->do_sample);
  if (key == "temperature") return get_float(v, key, &c->temperature);
  if (key == "top_k") return get_int(v, key, &c->top_k);
  if (key == "top_p") return get_float(v, key, &c->top_p);
  if (key == "min_p") return get_float(v, key, &c->min_p);
  if (key == "typical_p") return get_float(v, key, &c->typical_p);
  if (key == "seed") {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
      return wrong_type(key, v, "an integer >= 0");
    c->seed = v.get<uint64_t>();
    return Status::ok();
  }
  if (key == "repetition_penalty") return get_float(v, key, &c->repetition_penalty);
  if (key == "no_repeat_ngram_size") return get_int(v, key, &c->no_repeat_ngram_size);
  if (key == "eos_token_id") {
    if (v.is_number_integer()) {
      if (!fits_int32(v)) return wrong_type(key, v, "a token id");
      c->eos_token_id = {v.get<int32_t>()};
      return Status::ok();
    }
    return get_ids(v, key, &c->eos_token_id);
  }
  if (key == "bos_token_id" || key == "pad_token_id") {
    int id = 0;
    ML_RETURN_IF_ERROR(get_int(v, key, &id));
    (key == "bos_token_id" ? c->bos_token_id : c->pad_token_id) = id;
    return Status::ok();
  }
  if (key == "stop_strings") {
    c->stop_strings.clear();
    if (v.is_string()) {
      c->stop_strings.push_back(v.get<std::string>());
      return Status::ok();
    }
    if (!v.is_array()) return wrong_type(key, v, "a string or a list of strings");
    for (const auto& e : v) {
      if (!e.is_string()) return wrong_type(key, v, "a list of strings");
      c->stop_strings.push_back(e.get<std::string>());
    }
    return Status::ok();
  }
  if (key == "num_beams") return get_int(v, key, &c->num_beams);
  if (key == "length_penalty") return get_float(v, key, &c->length_penalty);
  if (key == "early_stopping") {
    if (v.is_boolean()) {
      c->early_stopping = v.get<bool>() ? EarlyStopping::kTrue : EarlyStopping::kFalse;
      return Status::ok();
    }
    if (v.is_string() && v.get<std::string>() == "never") {
      c->early_stopping = EarlyStopping::kNever;
      return Status::ok();
    }
    return wrong_type(key, v, "true, false or \"never\"");
  }
  if (key == "num_return_sequences") return get_int(v, key, &c->num_return_sequences);
  if (key == "bad_words_ids") {
    if (!v.is_array()) return wrong_type(key, v, "a list of lists of token ids");
    c->bad_words_ids.clear();
    for (const auto& e : v) {
      std::vector<int32_t> ids;
      ML_RETURN_IF_ERROR(get_ids(e, key, &ids));
      c->bad_words_ids.push_back(std::move(ids));
    }
    return Status::ok();
  }
  if (key == "bad_words") {
    if (!v.is_array()) return wrong_type(key, v, "a list of strings");
    c->bad_words.clear();
    for (const auto& e : v) {
      if (!e.is_string()) return wrong_type(key, v, "a list of strings");
      c->bad_words.push_back(e.get<std::string>());
    }
    return Status::ok();
  }
  if (key == "force_words_ids") {
    // HF accepts [[ids], [ids]] (each a word) or [[[ids],[ids]], ...] (disjunctive).
    if (!v.is_array()) return wrong_type(key, v, "a list of token-id lists");
    c->force_words_ids.clear();
    for (const auto& word : v) {
      if (!word.is_array() || word.empty()) return wrong_type(key, v, "a list of non-empty lists");
      std::vector<std::vector<int32_t>> alts;
      if (word[0].is_array()) {
        for (const auto& alt : word) {
          std::vector<int32_t> ids;
          ML_RETURN_IF_ERROR(get_ids(alt, key, &ids));
          alts.push_back(std::move(ids));
        }
      } else {
        std::vector<int32_t> ids;
        ML_RETURN_IF_ERROR(get_ids(word, key, &ids));
        alts.push_back(std::move(ids));
      }
      c->force_words_ids.push_back(std::move(alts));
    }
    return Status::ok();
  }
  if (key == "logit_bias") {
    if (!v.is_object()) return wrong_type(key, v, "an object {\"token id\": bias}");
    c->logit_bias.clear();
    for (auto it = v.begin(); it != v.end(); ++it) {
      size_t used = 0;
      long id = -1;
      try {
        id = std::stol(it.key(), &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != it.key().size() || id < 0)
        return invalid_argument("generation_config.json: logit_bias key \"" + it.key() +
                                "\" is not a token id; expected a non-negative integer");
      float b = 0;
      ML_RETURN_IF_ERROR(get_float(it.value(), "logit_bias." + it.key(), &b));
      c->logit_bias[static_cast<int32_t>(id)] = b;
    }
    return Status::ok();
  }
  if (key == "sequence_bias") {
    // HF's serialisable form: [[[ids], bias], ...].
    const char* expected = "a list of [[token ids], bias] pairs, e.g. [[[10, 45], -2.0], [[64], 1.5]]";
    if (!v.is_array()) return wrong_type(key, v, expected);
    c->sequence_bias.clear();
    for (const auto& e : v) {
      if (!e.is_array() || e.size() != 2 || !e[0].is_array() || !e[1].is_number()) return wrong_type(key, e, expected);
      std::vector<int32_t> ids;
      ML_RETURN_IF_ERROR(get_ids(e[0], key, &ids));
      float b = 0;
      ML_RETURN_IF_ERROR(get_float(e[1], key, &b));
      c->sequence_bias.emplace_back(std::move(ids), b);
    }
    return Status::ok();
  }
  if (key == "distinct_variants") return get_bool(v, key, &c->distinct_variants);
  if (key == "distinct_threshold") return get_float(v, key, &c->distinct_threshold);
  if (key == "distinct_ngram") return get_int(v, key, &c->distinct_ngram);
  if (key == "distinct_max_attempts") return get_int(v, key, &c->distinct_max_attempts);
  if (key == "output_logprobs") return get_bool(v, key, &c->output_logprobs);
  if (key == "top_logprobs") return get_int(v, key, &c->top_logprobs);
  if (key == "max_redraws") return get_int(v, key, &c->max_redraws);
  *known = false;
  return Status::ok();
}

// HF options marketlm does not implement, with the value that means "off".
// A file that turns one on is rejected rather than silently decoded
// differently; null or the "off" value is accepted and kept in extra_json.
Status check_unsupported(const std::string& key, const json& v) {
  static const char* const kOffIsNull[] = {"penalty_alpha", "suppress_tokens",
                                           "begin_suppress_tokens", "forced_bos_token_id",
                                           "forced_eos_token_id", "exponential_decay_length_penalty",
                                           "constraints", "max_time", "watermarking_config",
                                           "assistant_model", "prompt_lookup_num_tokens", "dola_layers"};
  if (v.is_null()) return Status::ok();
  for (const char* k : kOffIsNull)
    if (key == k)
      return Status(StatusCode::kUnimplemented,
                    "generation_config.json: \"" + key + "\" = " + v.dump() +
                        " is a Hugging Face option marketlm does not implement; remove it or set it to null");
  struct Off {
    const char* key;
    double off;
  };
  static const Off kOff[] = {{"num_beam_groups", 1},   {"diversity_penalty", 0}, {"epsilon_cutoff", 0},
                             {"eta_cutoff", 0},        {"guidance_scale", 1},    {"encoder_repetition_penalty", 1},
                             {"encoder_no_repeat_ngram_size", 0}};
  for (const Off& o : kOff) {
    if (key != o.key) continue;
    if (v.is_number() && v.get<double>() == o.off) return Status::ok();
    return Status(StatusCode::kUnimplemented,
                  "generation_config.json: \"" + key + "\" = " + v.dump() +
                      " is a Hugging Face option marketlm does not implement; expected " +
                      json(o.off).dump() + " (off) or null");
  }
  return Status::ok();
}

json to_json_obj(const GenerationConfig& c) {
  const GenerationConfig d;
  json j = json::object();
  if (c.max_length != d.max_length) j["max_length"] = c.max_length;
  if (c.max_new_tokens) j["max_new_tokens"] = *c.max_new_tokens;
  if (c.min_length != d.min_length) j["min_length"] = c.min_length;
  if (c.min_new_tokens != d.min_new_tokens) j["min_new_tokens"] = c.min_new_tokens;
  if (c.do_sample != d.do_sample) j["do_sample"] = c.do_sample;
  if (c.temperature != d.temperature) j["temperature"] = c.temperature;
  if (c.top_k != d.top_k) j["top_k"] = c.top_k;
  if (c.top_p != d.top_p) j["top_p"] = c.top_p;
  if (c.min_p != d.min_p) j["min_p"] = c.min_p;
  if (c.typical_p != d.typical_p) j["typical_p"] = c.typical_p;
  if (c.seed != d.seed) j["seed"] = c.seed;
  if (c.repetition_penalty != d.repetition_penalty) j["repetition_penalty"] = c.repetition_penalty;
  if (c.no_repeat_ngram_size != d.no_repeat_ngram_size) j["no_repeat_ngram_size"] = c.no_repeat_ngram_size;
  if (c.eos_token_id.size() == 1) j["eos_token_id"] = c.eos_token_id[0];
  if (c.eos_token_id.size() > 1) j["eos_token_id"] = c.eos_token_id;
  if (c.bos_token_id) j["bos_token_id"] = *c.bos_token_id;
  if (c.pad_token_id) j["pad_token_id"] = *c.pad_token_id;
  if (!c.stop_strings.empty()) j["stop_strings"] = c.stop_strings;
  if (c.num_beams != d.num_beams) j["num_beams"] = c.num_beams;
  if (c.length_penalty != d.length_penalty) j["length_penalty"] = c.length_penalty;
  if (c.early_stopping == EarlyStopping::kTrue) j["early_stopping"] = true;
  if (c.early_stopping == EarlyStopping::kNever) j["early_stopping"] = "never";
  if (c.num_return_sequences != d.num_return_sequences) j["num_return_sequences"] = c.num_return_sequences;
  if (!c.bad_words_ids.empty()) j["bad_words_ids"] = c.bad_words_ids;
  if (!c.bad_words.empty()) j["bad_words"] = c.bad_words;
  if (!c.force_words_ids.empty()) j["force_words_ids"] = c.force_words_ids;
  if (!c.logit_bias.empty()) {
    json b = json::object();
    for (const auto& [id, v] : c.logit_bias) b[std::to_string(id)] = v;
    j["logit_bias"] = b;
  }
  if (!c.sequence_bias.empty()) {
    json b = json::array();
    for (const auto& [ids, v] : c.sequence_bias) b.push_back(json::array({ids, v}));
    j["sequence_bias"] = b;
  }
  if (c.distinct_variants != d.distinct_variants) j["distinct_variants"] = c.distinct_variants;
  if (c.distinct_threshold != d.distinct_threshold) j["distinct_threshold"] = c.distinct_threshold;
  if (c.distinct_ngram != d.distinct_ngram) j["distinct_ngram"] = c.distinct_ngram;
  if (c.distinct_max_attempts != d.distinct_max_attempts) j["distinct_max_attempts"] = c.distinct_max_attempts;
  if (c.output_logprobs != d.output_logprobs) j["output_logprobs"] = c.output_logprobs;
  if (c.top_logprobs != d.top_logprobs) j["top_logprobs"] = c.top_logprobs;
  if (c.max_redraws != d.max_redraws) j["max_redraws"] = c.max_redraws;
  json extra = json::parse(c.extra_json, nullptr, /*allow_exceptions=*/false);
  if (extra.is_object())
    for (auto it = extra.begin(); it != extra.end(); ++it)
      if (!j.contains(it.key())) j[it.key()] = it.value();
  return j;
}

}  // namespace

Result<GenerationConfig> generation_config_from_json(std::string_view json_text) {
  json j = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return invalid_argument("generation_config.json: not valid JSON; expected a JSON object");
  if (!j.is_object())
    return invalid_argument("generation_config.json: top level is " + type_name(j) +
                            "; expected a JSON object");
  GenerationConfig c;
  json extra = json::object();
  try {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool known = false;
      ML_RETURN_IF_ERROR(parse_field(it.key(), it.value(), &c, &known));
      if (!known) {
        ML_RETURN_IF_ERROR(check_unsupported(it.key(), it.value()));
        extra[it.key()] = it.value();
      }
    }
  } catch (const std::exception& e) {
    return invalid_argument(std::string("generation_config.json: ") + e.what());
  }
  c.extra_json = extra.dump();
  ML_RETURN_IF_ERROR(c.validate());
  return c;
}

std::string generation_config_to_json(const GenerationConfig& config) {
  // replace: a string field holding invalid UTF-8 must not throw
  return to_json_obj(config).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<GenerationConfig> load_generation_config(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  Result<GenerationConfig> r = generation_config_from_json(text);
  if (!r.is_ok()) return r.status().with_context(path);
  return r;
}

Status save_generation_config(const std::string& path, const GenerationConfig& config) {
  ML_RETURN_IF_ERROR(config.validate());
  return write_file_atomic(path, generation_config_to_json(config));
}

}  // namespace marketlm
