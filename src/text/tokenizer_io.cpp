// Loading and saving tokenizers: OpenAI's encoder.json + vocab.bpe, Hugging
// Face's vocab.json + merges.txt, and Hugging Face's tokenizer.json.
// nlohmann::json throws; every throw is caught here and becomes a Status.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"
#include "marketlm/core/lines.h"
#include "marketlm/text/tokenizer.h"
#include "text/bpe_model.h"

namespace marketlm {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;
using Merges = std::vector<std::pair<std::string, std::string>>;

Result<Json> parse_json(std::string_view text, const std::string& path) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    return data_error(path + ": not valid JSON (" + std::string(e.what()) +
                      "); the file may be truncated or corrupt");
  }
}

// {"token": id, ...} -> vocab[id] = token.
Result<std::vector<std::string>> vocab_from_json(const Json& j, const std::string& path) {
  if (!j.is_object()) return data_error(path + ": expected a JSON object mapping token -> id");
  if (j.empty()) return data_error(path + ": the vocabulary is empty");
  std::vector<std::string> vocab;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_number_integer()) {
      return data_error(path + ": token '" + it.key() + "' has id " + it.value().dump() +
                        ", expected a non-negative integer");
    }
    int64_t id = it.value().get<int64_t>();
    if (id < 0 || id > 16'000'000) {
      return data_error(path + ": token '" + it.key() + "' has id " + std::to_string(id) +
                        ", expected 0 <= id <= 16000000");
    }
    if (static_cast<size_t>(id) >= vocab.size()) vocab.resize(static_cast<size_t>(id) + 1);
    if (!vocab[id].empty()) {
      return data_error(path + ": id " + std::to_string(id) + " is given to both '" + vocab[id] + "' and '" +
                        it.key() + "'");
    }
    if (it.key().empty()) return data_error(path + ": empty token string for id " + std::to_string(id));
    vocab[id] = it.key();
  }
  return vocab;
}

// "a b" lines; a first line starting with "#version" is skipped.
Result<Merges> merges_from_text(std::string_view text, const std::string& path) {
  Merges merges;
  ML_RETURN_IF_ERROR(for_each_line(text, [&](std::string_view line, size_t line_no) -> Status {
    if (line_no == 1 && line.rfind("#version", 0) == 0) return Status::ok();
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp + 1 >= line.size() ||
        line.find(' ', sp + 1) != std::string_view::npos) {
      return data_error(path + ": line " + std::to_string(line_no) + ": expected two symbols separated by one space, got '" +
                        std::string(line.substr(0, 80)) + "'");
    }
    merges.emplace_back(std::string(line.substr(0, sp)), std::string(line.substr(sp + 1)));
    return Status::ok();
  }));
  return merges;
}

// Tokens written <|like this|> are taken as special when no tokenizer.json
// says otherwise (GPT-2's <|endoftext|>, marketlm's control tokens).
std::vector<AddedToken> guess_specials(const std::vector<std::string>& vocab) {
  std::vector<AddedToken> added;
  for (size_t id = 0; id < vocab.size(); ++id) {
    const std::string& t = vocab[id];
    if (t.size() >= 5 && t.rfind("<|", 0) == 0 && t.compare(t.size() - 2, 2, "|>") == 0) {
      added.push_back({static_cast<int32_t>(id), t, true});
    }
  }
  return added;
}

Result<PreTokenizerConfig> pre_tokenizer_from_json(const Json& j, const std::string& path) {
  PreTokenizerConfig cfg;
  auto check_byte_level = [&](const Json& b) -> Status {
    if (b.value("add_prefix_space", false)) {
      return Status(StatusCode::kUnimplemented,
                    path + ": pre_tokenizer ByteLevel with add_prefix_space=true is not supported");
    }
    if (!b.value("use_regex", true)) {
      return Status(StatusCode::kUnimplemented, path + ": pre_tokenizer ByteLevel with use_regex=false is not supported");
    }
    return Status::ok();
  };
  if (j.is_null()) {
    return Status(StatusCode::kUnimplemented, path + ": pre_tokenizer is null; expected ByteLevel (byte-level BPE)");
  }
  std::string type = j.value("type", "");
  if (type == "ByteLevel") {
    ML_RETURN_IF_ERROR(check_byte_level(j));
    return cfg;
  }
  if (type == "Sequence" && j.contains("pretokenizers") && j["pretokenizers"].is_array() &&
      j["pretokenizers"].size() == 2) {
    const Json& split = j["pretokenizers"][0];
    const Json& bl = j["pretokenizers"][1];
    if (split.value("type", "") == "Split" && bl.value("type", "") == "ByteLevel" && split.contains("pattern") &&
        split["pattern"].is_object() && split["pattern"].contains("Regex") &&
        split.value("behavior", "") == "Isolated" && !split.value("invert", false)) {
      std::string re = split["pattern"]["Regex"].get<std::string>();
      const std::string prefix = "\\p{Han}{1,";
      if (re.rfind(prefix, 0) == 0 && re.size() > prefix.size() + 1 && re.back() == '}') {
        int n = std::atoi(re.substr(prefix.size(), re.size() - prefix.size() - 1).c_str());
        if (n >= 1 && n <= 1000) {
          ML_RETURN_IF_ERROR(check_byte_level(bl));
          cfg.cjk_chunk = n;
          return cfg;
        }
      }
    }
  }
  return Status(StatusCode::kUnimplemented,
                path + ": unsupported pre_tokenizer " + j.dump().substr(0, 200) +
                    "; expected ByteLevel, or Sequence[Split(\\p{Han}{1,N}, Isolated), ByteLevel]");
}

Result<Tokenizer> from_json_object(const Json& j, const std::string& path) {
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) {
    return data_error(path + ": expected a tokenizer.json object with a \"model\" field");
  }
  const Json& m = j["model"];
  if (m.value("type", "BPE") != "BPE") {
    return Status(StatusCode::kUnimplemented,
                  path + ": model type '" + m.value("type", "") + "' is not supported; expected BPE");
  }
  if (j.contains("normalizer") && !j["normalizer"].is_null()) {
    return Status(StatusCode::kUnimplemented, path + ": normalizers are not supported (expected \"normalizer\": null)");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (m.contains(key) && !m[key].is_null() && m[key] != "") {
      return Status(StatusCode::kUnimplemented, path + ": model." + key + " must be empty for byte-level BPE");
    }
  }
  if (m.value("byte_fallback", false)) {
    return Status(StatusCode::kUnimplemented, path + ": model.byte_fallback=true is not byte-level BPE");
  }
  if (!m.contains("vocab")) return data_error(path + ": model has no \"vocab\"");
  if (!m.contains("merges") || !m["merges"].is_array()) return data_error(path + ": model has no \"merges\" array");
  ML_ASSIGN_OR_RETURN(auto vocab, vocab_from_json(m["vocab"], path + ": model.vocab"));
  Merges merges;
  merges.reserve(m["merges"].size());
  size_t idx = 0;
  for (const Json& e : m["merges"]) {
    ++idx;
    if (e.is_string()) {
      std::string s = e.get<std::string>();
      size_t sp = s.find(' ');
      if (sp == std::string::npos || sp == 0 || sp + 1 >= s.size() || s.find(' ', sp + 1) != std::string::npos) {
        return data_error(path + ": model.merges[" + std::to_string(idx - 1) +
                          "]: expected two symbols separated by one space, got '" + s + "'");
      }
      merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
    } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
      merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
    } else {
      return data_error(path + ": model.merges[" + std::to_string(idx - 1) + "]: expected \"a b\" or [\"a\", \"b\"], got " +
                        e.dump().substr(0, 80));
    }
  }
  std::vector<AddedToken> added;
  if (j.contains("added_tokens") && j["added_tokens"].is_array()) {
    for (const Json& a : j["added_tokens"]) {
      if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() || !a.contains("content") ||
          !a["content"].is_string()) {
        return data_error(path + ": added_tokens entry " + a.dump().substr(0, 80) +
                          " needs an integer \"id\" and a string \"content\"");
      }
      added.push_back({a["id"].get<int32_t>(), a["content"].get<std::string>(), a.value("special", false)});
    }
  }
  PreTokenizerConfig pre;
  if (j.contains("pre_tokenizer")) {
    ML_ASSIGN_OR_RETURN(pre, pre_tokenizer_from_json(j["pre_tokenizer"], path));
  }
  return Tokenizer::from_parts(vocab, merges, added, pre, path);
}

std::string json_string(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// {"token": id, ...} in id order, one entry per line after `indent`. Written
// by hand: nlohmann's ordered_json inserts in linear time per key.
std::string vocab_object(const BpeData* d, const std::string& indent) {
  std::string out = "{";
  bool first = true;
  if (d) {
    for (size_t id = 0; id < d->tokens.size(); ++id) {
      if (d->tokens[id].empty()) continue;
      out += first ? "\n" : ",\n";
      first = false;
      out += indent + "  " + json_string(d->tokens[id]) + ": " + std::to_string(id);
    }
  }
  out += first ? "}" : "\n" + indent + "}";
  return out;
}

std::string merges_array(const BpeData* d, const std::string& indent) {
  std::string out = "[";
  bool first = true;
  if (d) {
    for (const auto& [a, b] : d->merge_list) {
      if (a < 0) continue;
      out += first ? "\n" : ",\n";
      first = false;
      out += indent + "  " + json_string(d->tokens[a] + " " + d->tokens[b]);
    }
  }
  out += first ? "]" : "\n" + indent + "]";
  return out;
}

}  // namespace

Result<Tokenizer> Tokenizer::from_gpt2_files(const std::string& encoder_json_path, const std::string& vocab_bpe_path) {
  ML_ASSIGN_OR_RETURN(std::string enc_text, read_file(encoder_json_path));
  ML_ASSIGN_OR_RETURN(std::string bpe_text, read_file(vocab_bpe_path));
  ML_ASSIGN_OR_RETURN(Json enc, parse_json(enc_text, encoder_json_path));
  ML_ASSIGN_OR_RETURN(auto vocab, vocab_from_json(enc, encoder_json_path));
  ML_ASSIGN_OR_RETURN(auto merges, merges_from_text(bpe_text, vocab_bpe_path));
  std::vector<AddedToken> added;
  for (size_t id = 0; id < vocab.size(); ++id) {
    if (vocab[id] == "<|endoftext|>") added.push_back({static_cast<int32_t>(id), vocab[id], true});
  }
  return from_parts(vocab, merges, added, {}, encoder_json_path + " + " + vocab_bpe_path);
}

Result<Tokenizer> Tokenizer::from_vocab_merges(const std::string& vocab_json_path, const std::string& merges_txt_path) {
  ML_ASSIGN_OR_RETURN(std::string vocab_text, read_file(vocab_json_path));
  ML_ASSIGN_OR_RETURN(std::string merges_text, read_file(merges_txt_path));
  ML_ASSIGN_OR_RETURN(Json vj, parse_json(vocab_text, vocab_json_path));
  ML_ASSIGN_OR_RETURN(auto vocab, vocab_from_json(vj, vocab_json_path));
  ML_ASSIGN_OR_RETURN(auto merges, merges_from_text(merges_text, merges_txt_path));
  return from_parts(vocab, merges, guess_specials(vocab), {}, vocab_json_path + " + " + merges_txt_path);
}

Result<Tokenizer> Tokenizer::from_tokenizer_json_text(std::string_view json, const std::string& name) {
  ML_ASSIGN_OR_RETURN(Json j, parse_json(json, name));
  try {
    return from_json_object(j, name);
  } catch (const Json::exception& e) {
    return data_error(name + ": unexpected JSON structure (" + std::string(e.what()) + ")");
  }
}

Result<Tokenizer> Tokenizer::from_tokenizer_json(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return from_tokenizer_json_text(text, path);
}

Result<Tokenizer> Tokenizer::from_pretrained(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return not_found(dir + ": no such directory (expected a tokenizer directory)");
  auto has = [&](const char* f) { return fs::exists(fs::path(dir) / f, ec); };
  auto at = [&](const char* f) { return (fs::path(dir) / f).string(); };
  if (has("tokenizer.json")) return from_tokenizer_json(at("tokenizer.json"));
  if (has("vocab.json") && has("merges.txt")) return from_vocab_merges(at("vocab.json"), at("merges.txt"));
  if (has("encoder.json") && has("vocab.bpe")) return from_gpt2_files(at("encoder.json"), at("vocab.bpe"));
  return not_found(dir + ": no tokenizer files; expected tokenizer.json, vocab.json + merges.txt, or encoder.json + vocab.bpe");
}

Result<Tokenizer> Tokenizer::from_parts(const std::vector<std::string>& vocab, const Merges& merges,
                                        const std::vector<AddedToken>& added, const PreTokenizerConfig& pre,
                                        const std::string& name) {
  ML_ASSIGN_OR_RETURN(auto data, build_bpe_data(vocab, merges, added, pre, name));
  Tokenizer t;
  t.data_ = std::move(data);
  return t;
}

std::string Tokenizer::to_vocab_json() const { return vocab_object(data_.get(), "") + "\n"; }

std::string Tokenizer::to_merges_txt() const {
  std::string out = "#version: 0.2\n";
  if (!data_) return out;
  for (const auto& [a, b] : data_->merge_list) {
    if (a < 0) continue;
    out += data_->tokens[a];
    out += ' ';
    out += data_->tokens[b];
    out += '\n';
  }
  return out;
}

std::string Tokenizer::to_tokenizer_json() const {
  OrderedJson j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  OrderedJson added = OrderedJson::array();
  if (data_) {
    for (const AddedToken& a : data_->added) {
      added.push_back({{"id", a.id}, {"content", a.content}, {"single_word", false}, {"lstrip", false},
                       {"rstrip", false}, {"normalized", false}, {"special", a.special}});
    }
  }
  j["added_tokens"] = added;
  j["normalizer"] = nullptr;
  OrderedJson byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true},
                            {"use_regex", true}};
  int cjk = data_ ? data_->pre.cjk_chunk : 0;
  if (cjk > 0) {
    OrderedJson split = {{"type", "Split"},
                         {"pattern", {{"Regex", "\\p{Han}{1," + std::to_string(cjk) + "}"}}},
                         {"behavior", "Isolated"},
                         {"invert", false}};
    j["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", OrderedJson::array({split, byte_level})}};
  } else {
    j["pre_tokenizer"] = byte_level;
  }
  j["post_processor"] = nullptr;
  j["decoder"] = byte_level;
  OrderedJson model;
  model["type"] = "BPE";
  model["dropout"] = nullptr;
  model["unk_token"] = nullptr;
  model["continuing_subword_prefix"] = "";
  model["end_of_word_suffix"] = "";
  model["fuse_unk"] = false;
  model["byte_fallback"] = false;
  model["ignore_merges"] = false;
  model["vocab"] = "@@VOCAB@@";
  model["merges"] = "@@MERGES@@";
  j["model"] = model;
  std::string out = j.dump(2, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
  // Splice in the two large parts (written by hand for speed).
  size_t v = out.find("\"@@VOCAB@@\"");
  out.replace(v, 11, vocab_object(data_.get(), "    "));
  size_t m = out.find("\"@@MERGES@@\"");
  out.replace(m, 12, merges_array(data_.get(), "    "));
  return out;
}

Status Tokenizer::save_pretrained(const std::string& dir) const {
  if (!data_) return failed_precondition("save_pretrained: the tokenizer is empty");
  ML_RETURN_IF_ERROR(make_dirs(dir));
  ML_RETURN_IF_ERROR(write_file_atomic(dir + "/tokenizer.json", to_tokenizer_json()));
  ML_RETURN_IF_ERROR(write_file_atomic(dir + "/vocab.json", to_vocab_json()));
  ML_RETURN_IF_ERROR(write_file_atomic(dir + "/merges.txt", to_merges_txt()));
  return Status::ok();
}

}  // namespace marketlm
