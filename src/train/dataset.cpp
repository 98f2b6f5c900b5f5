#include "marketlm/train/dataset.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "marketlm/core/file_io.h"

namespace marketlm {

uint64_t fnv1a64(const void* data, size_t n, uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

TextEncoder byte_level_encoder() {
  TextEncoder e;
  e.encode = [](std::string_view s) {
    std::vector<int32_t> ids(s.size());
    for (size_t i = 0; i < s.size(); ++i) ids[i] = static_cast<unsigned char>(s[i]);
    return ids;
  };
  e.vocab_size = 257;
  const std::string_view id = "marketlm byte-level vocabulary v1: 256 bytes + <|endoftext|>";
  e.vocab_hash = fnv1a64(id.data(), id.size());
  e.eot_id = 256;
  e.name = "bytes";
  return e;
}

namespace {

bool is_jsonl(const std::string& path) {
  auto ends = [&](std::string_view suf) {
    return path.size() >= suf.size() && path.compare(path.size() - suf.size(), suf.size(), suf) == 0;
  };
  return ends(".jsonl") || ends(".json");
}

Status line_error(const std::string& path, size_t line, const std::string& what) {
  return data_error(path + ":" + std::to_string(line) + ": " + what);
}

Result<std::vector<RawExample>> parse_jsonl(const std::string& path, const std::string& text, const JsonlFields& f) {
  const std::string expected = "expected {\"" + f.text + "\": \"...\"} or {\"" + f.prompt + "\": \"...\", \"" +
                               f.completion + "\": \"...\"}";
  std::vector<RawExample> out;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      return line_error(path, line_no, "not valid JSON (column " + std::to_string(e.byte) + "); " + expected);
    }
    if (!j.is_object()) return line_error(path, line_no, "not a JSON object; " + expected);
    RawExample ex;
    auto field = [&](const std::string& key, std::string* dst) -> Status {
      if (!j.contains(key) || !j[key].is_string()) {
        return line_error(path, line_no, "field \"" + key + "\" is missing or not a string; " + expected);
      }
      *dst = j[key].get<std::string>();
      return Status::ok();
    };
    if (j.contains(f.text)) {
      if (!j[f.text].is_string()) return line_error(path, line_no, "field \"" + f.text + "\" is not a string");
      ex.text = j[f.text].get<std::string>();
    } else if (j.contains(f.prompt) || j.contains(f.completion)) {
      ML_RETURN_IF_ERROR(field(f.prompt, &ex.prompt));
      ML_RETURN_IF_ERROR(field(f.completion, &ex.completion));
      ex.is_pair = true;
      if (ex.completion.empty()) {
        return line_error(path, line_no, "field \"" + f.completion + "\" is empty: nothing to learn");
      }
    } else {
      return line_error(path, line_no, "no \"" + f.text + "\" or \"" + f.prompt + "\"/\"" + f.completion +
                                           "\" field; " + expected);
    }
    out.push_back(std::move(ex));
  }
  return out;
}

}  // namespace

Result<std::vector<RawExample>> read_data_file(const std::string& path, const JsonlFields& fields) {
  auto text = read_file(path);
  if (!text.is_ok()) return text.status().with_context("training data");
  std::vector<RawExample> out;
  if (is_jsonl(path)) {
    ML_ASSIGN_OR_RETURN(out, parse_jsonl(path, *text, fields));
  } else if (text->find_first_not_of(" \t\r\n") != std::string::npos) {
    RawExample ex;
    ex.text = std::move(*text);
    out.push_back(std::move(ex));
  }
  if (out.empty()) {
    return data_error("training data file '" + path + "' is empty (no text" +
                      std::string(is_jsonl(path) ? " and no JSON lines" : "") +
                      "); give a file with at least one document");
  }
  return out;
}

Result<uint64_t> data_files_fingerprint(const std::vector<std::string>& files, const JsonlFields& fields) {
  uint64_t h = kFnvOffset;
  for (const std::string* k : {&fields.text, &fields.prompt, &fields.completion}) h = fnv1a64(k->c_str(), k->size() + 1, h);
  for (const std::string& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0) return not_found("training data file '" + f + "' does not exist");
    const int64_t vals[3] = {static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_mtim.tv_sec),
                             static_cast<int64_t>(st.st_mtim.tv_nsec)};
    h = fnv1a64(f.data(), f.size() + 1, h);  // includes the terminating NUL as separator
    h = fnv1a64(vals, sizeof vals, h);
  }
  return h;
}

Result<TokenizedCorpus> tokenize_data_files(const std::vector<std::string>& files, const TextEncoder& encoder,
                                            const Logger& logger, const JsonlFields& fields) {
  if (files.empty()) return invalid_argument("no training data files given (--data FILE)");
  if (!encoder.encode || encoder.vocab_size <= 0) return invalid_argument("no tokenizer given");
  TokenizedCorpus c;
  c.vocab_size = encoder.vocab_size;
  c.vocab_hash = encoder.vocab_hash;
  ML_ASSIGN_OR_RETURN(c.source_fingerprint, data_files_fingerprint(files, fields));
  auto append = [&](std::string_view s, uint8_t m, const std::string& file) -> Status {
    for (int32_t id : encoder.encode(s)) {
      if (id < 0 || id >= encoder.vocab_size) {
        return internal_error("tokenizer returned id " + std::to_string(id) + " outside vocab of " +
                              std::to_string(encoder.vocab_size) + " while reading '" + file + "'");
      }
      c.tokens.push_back(id);
      c.mask.push_back(m);
    }
    return Status::ok();
  };
  for (const std::string& f : files) {
    ML_ASSIGN_OR_RETURN(auto examples, read_data_file(f, fields));
    size_t pairs = 0;
    for (const RawExample& ex : examples) {
      if (ex.is_pair) {
        ML_RETURN_IF_ERROR(append(ex.prompt, 0, f));
        ML_RETURN_IF_ERROR(append(ex.completion, 1, f));
        ++pairs;
      } else {
        ML_RETURN_IF_ERROR(append(ex.text, 1, f));
      }
      if (c.tokens.size() == c.doc_offsets.back()) continue;  // tokenized to nothing
      c.doc_offsets.push_back(c.tokens.size());
      c.doc_is_pair.push_back(ex.is_pair ? 1 : 0);
    }
    logger.info("tokenized '" + f + "': " + std::to_string(examples.size()) + " examples (" +
                std::to_string(pairs) + " prompt/completion pairs)");
  }
  if (c.tokens.empty()) return data_error("the training data has no tokens after tokenization");
  return c;
}

}  // namespace marketlm
