// Training data, step 1: reading files and tokenizing them.
//
// A data file is either plain text (any extension but .jsonl/.json: the whole
// file is one document) or JSON Lines, one object per line:
//   {"text": "..."}                          a document (all tokens are targets)
//   {"prompt": "...", "completion": "..."}   a pair: only completion tokens are targets
// Blank lines are skipped. The field names can be changed (JsonlFields), e.g.
// to read {"content": ..., "summary": ...} rows as prompt/completion pairs. The tokenizer is abstracted as TextEncoder so this
// layer does not depend on the text layer; the CLI wires the real tokenizer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/core/logging.h"
#include "marketlm/core/status.h"

namespace marketlm {

struct TextEncoder {
  std::function<std::vector<int32_t>(std::string_view)> encode;
  int32_t vocab_size = 0;
  uint64_t vocab_hash = 0;  // fingerprint of the vocabulary (e.g. FNV-1a of vocab.json + merges.txt)
  int32_t eot_id = -1;      // <|endoftext|>, joins documents and ends completions
  std::string name;         // for messages, e.g. "gpt2 BPE" or "bytes"
};

// Bytes as tokens 0..255 and <|endoftext|> = 256 (vocab 257). A real,
// tokenizer-free choice for small experiments and for tests.
TextEncoder byte_level_encoder();

// 64-bit FNV-1a; chain calls by passing the previous value as `h`.
inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
uint64_t fnv1a64(const void* data, size_t n, uint64_t h = kFnvOffset);

struct RawExample {
  bool is_pair = false;
  std::string text;        // is_pair == false
  std::string prompt;      // is_pair == true
  std::string completion;  // is_pair == true
};

struct JsonlFields {
  std::string text = "text";
  std::string prompt = "prompt";
  std::string completion = "completion";
};

// Reads one data file. Errors name the file and, for JSONL, the line number,
// and say what was expected. An empty file (no examples) is an error.
Result<std::vector<RawExample>> read_data_file(const std::string& path, const JsonlFields& fields = {});

// All documents of a data set, tokenized, back to back. mask[i] = 1 when
// token i is a prediction target, 0 when it is context only (a prompt).
struct TokenizedCorpus {
  int32_t vocab_size = 0;
  uint64_t vocab_hash = 0;
  uint64_t source_fingerprint = 0;  // hash of the data files' names, sizes and times
  std::vector<uint64_t> doc_offsets{0};  // n_docs + 1
  std::vector<uint8_t> doc_is_pair;      // n_docs
  std::vector<int32_t> tokens;
  std::vector<uint8_t> mask;

  size_t num_docs() const { return doc_is_pair.size(); }
};

// Hash of each file's path, size and modification time (not its content)
// and of the JSONL field names.
Result<uint64_t> data_files_fingerprint(const std::vector<std::string>& files, const JsonlFields& fields = {});

Result<TokenizedCorpus> tokenize_data_files(const std::vector<std::string>& files,
                                            const TextEncoder& encoder, const Logger& logger,
                                            const JsonlFields& fields = {});

}  // namespace marketlm
