#include "marketlm/train/train_config.h"

#include <cmath>
#include <set>
#include <utility>

#include "marketlm/core/file_io.h"

namespace marketlm {

namespace {

using nlohmann::json;

std::string show(const json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

Status type_error(const std::string& field, const char* expected, const json& v) {
  return invalid_argument("config field '" + field + "': expected " + expected + ", got " + show(v));
}

Status check_keys(const json& obj, const std::string& where, const std::set<std::string>& allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return invalid_argument("config: unknown field '" + where + it.key() + "'; known fields" +
                              (where.empty() ? "" : " in '" + where.substr(0, where.size() - 1) + "'") +
                              ": " + list);
    }
  }
  return Status::ok();
}

template <typename T>
Status read_int(const json& obj, const char* key, const std::string& where, T* out) {
  if (!obj.contains(key)) return Status::ok();
  const json& v = obj.at(key);
  if (!v.is_number_integer()) return type_error(where + key, "an integer", v);
  if (v.is_number_unsigned()) {
    const uint64_t x = v.get<uint64_t>();
    if (!std::in_range<T>(x)) return type_error(where + key, "an integer in range", v);
    *out = static_cast<T>(x);
  } else {
    const int64_t x = v.get<int64_t>();
    if (!std::in_range<T>(x)) {
      return type_error(where + key, std::is_unsigned_v<T> ? "a non-negative integer" : "an integer in range", v);
    }
    *out = static_cast<T>(x);
  }
  return Status::ok();
}

template <typename T>
Status read_float(const json& obj, const char* key, const std::string& where, T* out) {
  if (!obj.contains(key)) return Status::ok();
  const json& v = obj.at(key);
  if (!v.is_number()) return type_error(where + key, "a number", v);
  *out = static_cast<T>(v.get<double>());
  return Status::ok();
}

Status read_bool(const json& obj, const char* key, const std::string& where, bool* out) {
  if (!obj.contains(key)) return Status::ok();
  const json& v = obj.at(key);
  if (!v.is_boolean()) return type_error(where + key, "true or false", v);
  *out = v.get<bool>();
  return Status::ok();
}

Status read_string(const json& obj, const char* key, const std::string& where, std::string* out) {
  if (!obj.contains(key)) return Status::ok();
  const json& v = obj.at(key);
  if (!v.is_string()) return type_error(where + key, "a string", v);
  *out = v.get<std::string>();
  return Status::ok();
}

// The `marketlm train` flag that sets a field, so errors help either way it was given.
std::string flag_for(const std::string& field) {
  static const std::pair<const char*, const char*> kFlags[] = {
      {"out_dir", "--out"},          {"training.max_steps", "--max-steps"},
      {"training.batch_size", "--batch-size"}, {"training.seq_len", "--seq-len"},
      {"training.grad_accum", "--grad-accum"}, {"training.lr", "--lr"},
      {"training.min_lr", "--min-lr"}, {"training.warmup_steps", "--warmup-steps"},
      {"training.weight_decay", "--weight-decay"}, {"training.grad_clip", "--grad-clip"},
      {"data.val_fraction", "--val-fraction"}, {"training.eval_every", "--eval-every"},
      {"training.save_every", "--save-every"}, {"threads", "--threads"}};
  for (const auto& [f, flag] : kFlags) {
    if (field == f) return std::string(" (") + flag + ")";
  }
  return "";
}

Status field_error(const std::string& field, const std::string& value, const std::string& expected) {
  return invalid_argument("config field '" + field + "'" + flag_for(field) + " = " + value + ": expected " + expected);
}

}  // namespace

std::string TrainConfig::resolved_cache_path() const {
  return cache_path.empty() ? out_dir + "/token_cache.bin" : cache_path;
}

Result<TrainConfig> train_config_from_json(const json& j, TrainConfig c) {
  if (!j.is_object()) return type_error("(top level)", "a JSON object", j);
  ML_RETURN_IF_ERROR(check_keys(j, "", {"model", "data", "training", "seed", "threads", "out_dir",
                                        "tokenizer", "memory_limit_mb", "isa", "precision", "resume",
                                        "init_from"}));
  if (j.contains("model")) {
    if (!j["model"].is_object()) return type_error("model", "an object", j["model"]);
    c.model = j["model"];
  }
  ML_RETURN_IF_ERROR(read_int(j, "seed", "", &c.seed));
  ML_RETURN_IF_ERROR(read_int(j, "threads", "", &c.threads));
  ML_RETURN_IF_ERROR(read_string(j, "out_dir", "", &c.out_dir));
  ML_RETURN_IF_ERROR(read_string(j, "tokenizer", "", &c.tokenizer));
  ML_RETURN_IF_ERROR(read_int(j, "memory_limit_mb", "", &c.memory_limit_mb));
  ML_RETURN_IF_ERROR(read_string(j, "isa", "", &c.isa));
  ML_RETURN_IF_ERROR(read_string(j, "precision", "", &c.precision));
  ML_RETURN_IF_ERROR(read_bool(j, "resume", "", &c.resume));
  ML_RETURN_IF_ERROR(read_string(j, "init_from", "", &c.init_from));
  if (j.contains("data")) {
    const json& d = j["data"];
    if (!d.is_object()) return type_error("data", "an object", d);
    ML_RETURN_IF_ERROR(check_keys(d, "data.", {"files", "cache", "val_fraction", "pack_pairs", "text_key",
                                               "prompt_key", "completion_key"}));
    if (d.contains("files")) {
      const json& f = d["files"];
      if (f.is_string()) {
        c.data_files = {f.get<std::string>()};
      } else if (f.is_array()) {
        c.data_files.clear();
        for (size_t i = 0; i < f.size(); ++i) {
          if (!f[i].is_string()) return type_error("data.files[" + std::to_string(i) + "]", "a file path string", f[i]);
          c.data_files.push_back(f[i].get<std::string>());
        }
      } else {
        return type_error("data.files", "a list of file paths", f);
      }
    }
    ML_RETURN_IF_ERROR(read_string(d, "cache", "data.", &c.cache_path));
    ML_RETURN_IF_ERROR(read_float(d, "val_fraction", "data.", &c.val_fraction));
    ML_RETURN_IF_ERROR(read_bool(d, "pack_pairs", "data.", &c.pack_pairs));
    ML_RETURN_IF_ERROR(read_string(d, "text_key", "data.", &c.jsonl_fields.text));
    ML_RETURN_IF_ERROR(read_string(d, "prompt_key", "data.", &c.jsonl_fields.prompt));
    ML_RETURN_IF_ERROR(read_string(d, "completion_key", "data.", &c.jsonl_fields.completion));
  }
  if (j.contains("training")) {
    const json& t = j["training"];
    if (!t.is_object()) return type_error("training", "an object", t);
    const std::string w = "training.";
    ML_RETURN_IF_ERROR(check_keys(t, w, {"max_steps", "batch_size", "seq_len", "grad_accum", "lr", "min_lr",
                                         "warmup_steps", "beta1", "beta2", "eps", "weight_decay", "no_decay_weight_decay",
                                         "grad_clip", "eval_every", "eval_batches", "save_every",
                                         "keep_checkpoints"}));
    ML_RETURN_IF_ERROR(read_int(t, "max_steps", w, &c.max_steps));
    ML_RETURN_IF_ERROR(read_int(t, "batch_size", w, &c.batch_size));
    ML_RETURN_IF_ERROR(read_int(t, "seq_len", w, &c.seq_len));
    ML_RETURN_IF_ERROR(read_int(t, "grad_accum", w, &c.grad_accum));
    ML_RETURN_IF_ERROR(read_float(t, "lr", w, &c.lr));
    ML_RETURN_IF_ERROR(read_float(t, "min_lr", w, &c.min_lr));
    ML_RETURN_IF_ERROR(read_int(t, "warmup_steps", w, &c.warmup_steps));
    ML_RETURN_IF_ERROR(read_float(t, "beta1", w, &c.beta1));
    ML_RETURN_IF_ERROR(read_float(t, "beta2", w, &c.beta2));
    ML_RETURN_IF_ERROR(read_float(t, "eps", w, &c.eps));
    ML_RETURN_IF_ERROR(read_float(t, "weight_decay", w, &c.weight_decay));
    ML_RETURN_IF_ERROR(read_float(t, "no_decay_weight_decay", w, &c.no_decay_weight_decay));
    ML_RETURN_IF_ERROR(read_float(t, "grad_clip", w, &c.grad_clip));
    ML_RETURN_IF_ERROR(read_int(t, "eval_every", w, &c.eval_every));
    ML_RETURN_IF_ERROR(read_int(t, "eval_batches", w, &c.eval_batches));
    ML_RETURN_IF_ERROR(read_int(t, "save_every", w, &c.save_every));
    ML_RETURN_IF_ERROR(read_int(t, "keep_checkpoints", w, &c.keep_checkpoints));
  }
  return c;
}

Result<TrainConfig> load_train_config(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return invalid_argument("config file '" + path + "' is not valid JSON (byte " +
                            std::to_string(e.byte) + "): " + e.what());
  }
  auto r = train_config_from_json(j);
  if (!r.is_ok()) return r.status().with_context("config file '" + path + "'");
  return r;
}

json train_config_to_json(const TrainConfig& c) {
  return json{{"model", c.model},
              {"data", {{"files", c.data_files}, {"cache", c.cache_path}, {"val_fraction", c.val_fraction},
                        {"pack_pairs", c.pack_pairs}, {"text_key", c.jsonl_fields.text},
                        {"prompt_key", c.jsonl_fields.prompt}, {"completion_key", c.jsonl_fields.completion}}},
              {"training", {{"max_steps", c.max_steps}, {"batch_size", c.batch_size}, {"seq_len", c.seq_len},
                            {"grad_accum", c.grad_accum}, {"lr", c.lr}, {"min_lr", c.min_lr},
                            {"warmup_steps", c.warmup_steps}, {"beta1", c.beta1}, {"beta2", c.beta2},
                            {"eps", c.eps}, {"weight_decay", c.weight_decay},
                            {"no_decay_weight_decay", c.no_decay_weight_decay}, {"grad_clip", c.grad_clip},
                            {"eval_every", c.eval_every}, {"eval_batches", c.eval_batches},
                            {"save_every", c.save_every}, {"keep_checkpoints", c.keep_checkpoints}}},
              {"seed", c.seed},
              {"threads", c.threads},
              {"out_dir", c.out_dir},
              {"tokenizer", c.tokenizer},
              {"memory_limit_mb", c.memory_limit_mb},
              {"isa", c.isa},
              {"precision", c.precision},
              {"resume", c.resume},
              {"init_from", c.init_from}};
}

Status validate_train_config(const TrainConfig& c) {
  auto num = [](double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", x);
    return std::string(b);
  };
  if (c.data_files.empty()) {
    return invalid_argument("config field 'data.files' is empty: give at least one .txt or .jsonl file (--data FILE)");
  }
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"data.text_key", &c.jsonl_fields.text},
                                   {"data.prompt_key", &c.jsonl_fields.prompt},
                                   {"data.completion_key", &c.jsonl_fields.completion}}) {
    if (value->empty()) return field_error(key, "\"\"", "a JSON key name");
  }
  if (c.out_dir.empty()) return field_error("out_dir", "\"\"", "a directory path (--out DIR)");
  if (c.max_steps < 1) return field_error("training.max_steps", std::to_string(c.max_steps), "at least 1");
  // Upper bounds keep absurd values from reaching an allocation before the memory check.
  if (c.batch_size < 1 || c.batch_size > (1 << 16)) {
    return field_error("training.batch_size", std::to_string(c.batch_size), "between 1 and 65536");
  }
  if (c.seq_len < 1 || c.seq_len > (1 << 20)) {
    return field_error("training.seq_len", std::to_string(c.seq_len), "between 1 and 1048576");
  }
  if (c.grad_accum < 1 || c.grad_accum > (1 << 16)) {
    return field_error("training.grad_accum", std::to_string(c.grad_accum), "between 1 and 65536");
  }
  if (!(c.lr > 0) || !std::isfinite(c.lr)) return field_error("training.lr", num(c.lr), "a positive number such as 3e-4");
  if (!(c.min_lr >= 0) || c.min_lr > c.lr) {
    return field_error("training.min_lr", num(c.min_lr), "between 0 and training.lr (" + num(c.lr) + ")");
  }
  if (c.warmup_steps < 0) return field_error("training.warmup_steps", std::to_string(c.warmup_steps), "0 or more");
  if (!(c.beta1 >= 0 && c.beta1 < 1)) return field_error("training.beta1", num(c.beta1), "a number in [0, 1)");
  if (!(c.beta2 >= 0 && c.beta2 < 1)) return field_error("training.beta2", num(c.beta2), "a number in [0, 1)");
  if (!(c.eps > 0)) return field_error("training.eps", num(c.eps), "a small positive number such as 1e-8");
  if (!(c.weight_decay >= 0) || c.weight_decay * c.lr >= 1) {
    return field_error("training.weight_decay", num(c.weight_decay), "0 or more, with lr * weight_decay < 1");
  }
  if (!(c.no_decay_weight_decay >= 0) || c.no_decay_weight_decay * c.lr >= 1) {
    return field_error("training.no_decay_weight_decay", num(c.no_decay_weight_decay),
                       "0 or more, with lr * no_decay_weight_decay < 1");
  }
  if (!(c.grad_clip >= 0)) return field_error("training.grad_clip", num(c.grad_clip), "0 (off) or a positive norm");
  if (!(c.val_fraction >= 0 && c.val_fraction < 1)) {
    return field_error("data.val_fraction", num(c.val_fraction), "a fraction in [0, 1), e.g. 0.1");
  }
  if (c.eval_every < 0) return field_error("training.eval_every", std::to_string(c.eval_every), "0 (end only) or more");
  if (c.eval_batches < 0) return field_error("training.eval_batches", std::to_string(c.eval_batches), "0 (all) or more");
  if (c.save_every < 0) return field_error("training.save_every", std::to_string(c.save_every), "0 (end only) or more");
  if (c.keep_checkpoints < 1) {
    return field_error("training.keep_checkpoints", std::to_string(c.keep_checkpoints), "at least 1");
  }
  if (c.threads < 0 || c.threads > 1024) {
    return field_error("threads", std::to_string(c.threads), "0 (all cores) up to 1024");
  }
  if (!c.isa.empty() && c.isa != "scalar" && c.isa != "avx2" && c.isa != "avx512") {
    return field_error("isa", "\"" + c.isa + "\"", "\"\", \"scalar\", \"avx2\" or \"avx512\"");
  }
  if (c.precision != "fp32" && c.precision != "bf16" && c.precision != "bf16-scalar" &&
      c.precision != "bf16-avx512" && c.precision != "bf16-amx") {
    return field_error("precision", "\"" + c.precision + "\"",
                       "\"fp32\", \"bf16\" (or one bf16 kernel: \"bf16-scalar\", \"bf16-avx512\", \"bf16-amx\")");
  }
  return Status::ok();
}

}  // namespace marketlm
