// Byte-level BPE tokenizer (GPT-2 style), compatible with OpenAI's GPT-2
// vocabulary files and Hugging Face's tokenizer.json.
//
//   auto tok = Tokenizer::from_pretrained("third_party/gpt2");   // or a model dir
//   if (!tok) { /* tok.status() names the file and the problem */ }
//   std::vector<int32_t> ids = tok->encode("Hello world", /*allow_special=*/false);
//   std::string text = tok->decode(ids);                         // == "Hello world"
//
// Any byte string round-trips exactly: decode(encode(s)) == s, including
// invalid UTF-8. Special tokens in user text are plain text unless the caller
// allows them (see SpecialPolicy). Thread safety: a Tokenizer is immutable
// after loading; every const method may be called from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/text/pretokenizer.h"

namespace marketlm {

class ThreadPool;

// How special tokens written in user text are treated (tiktoken's
// allowed_special / disallowed_special, Hugging Face's split_special_tokens).
enum class SpecialPolicy {
  kAsText,    // encoded as ordinary text, byte by byte (the default)
  kAllow,     // parsed as the special token's id
  kDisallow,  // encode_checked() returns an error naming the token and offset
};

// One entry of the added-token table (Hugging Face "added_tokens").
struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool special = true;  // special tokens are dropped by decode(skip_special_tokens)
};

struct BpeData;  // vocabulary + merge table, defined in src/text/bpe_model.h

class Tokenizer {
 public:
  // A directory holding tokenizer.json, or else vocab.json + merges.txt
  // (Hugging Face layout), or else encoder.json + vocab.bpe (OpenAI layout).
  static Result<Tokenizer> from_pretrained(const std::string& dir);
  // OpenAI's GPT-2 files; adds <|endoftext|> (id 50256) as a special token.
  static Result<Tokenizer> from_gpt2_files(const std::string& encoder_json_path,
                                           const std::string& vocab_bpe_path);
  // Hugging Face tokenizer.json (model BPE, ByteLevel pre-tokenizer/decoder).
  static Result<Tokenizer> from_tokenizer_json(const std::string& path);
  static Result<Tokenizer> from_tokenizer_json_text(std::string_view json, const std::string& name);
  // Hugging Face vocab.json + merges.txt.
  static Result<Tokenizer> from_vocab_merges(const std::string& vocab_json_path,
                                             const std::string& merges_txt_path);
  // Builds a tokenizer from byte-level strings (GPT-2's byte-to-unicode alphabet):
  // vocab[i] is the string of id i (empty for holes), merges in rank order.
  static Result<Tokenizer> from_parts(const std::vector<std::string>& vocab,
                                      const std::vector<std::pair<std::string, std::string>>& merges,
                                      const std::vector<AddedToken>& added,
                                      const PreTokenizerConfig& pre, const std::string& name);

  Tokenizer();
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  Tokenizer(const Tokenizer&);
  Tokenizer& operator=(const Tokenizer&);

  // Specials are parsed when allow_special is true, plain text otherwise.
  std::vector<int32_t> encode(std::string_view text, bool allow_special = false) const;
  // Same, with kDisallow available: an error when text contains a special token.
  Result<std::vector<int32_t>> encode_checked(std::string_view text, SpecialPolicy policy) const;
  // Splits large texts at safe boundaries and encodes the parts on the pool;
  // the ids are identical to encode(). pool may be nullptr (serial).
  std::vector<int32_t> encode_parallel(std::string_view text, ThreadPool* pool,
                                       bool allow_special = false) const;

  // Unknown ids are skipped. Invalid UTF-8 is returned as the bytes it was.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens = false) const;
  // The raw bytes of one token ("" for an unknown id).
  std::string id_to_bytes(int32_t id) const;
  // The token's string as stored in vocab files (byte-level alphabet).
  std::string id_to_token(int32_t id) const;

  int vocab_size() const;
  // Looks up a token by its vocab-file string or, failing that, raw bytes.
  std::optional<int32_t> token_to_id(std::string_view token) const;
  const std::vector<AddedToken>& added_tokens() const;
  bool is_special(int32_t id) const;
  const PreTokenizerConfig& pre_tokenizer() const;
  int num_merges() const;

  // Writes tokenizer.json, vocab.json and merges.txt into dir (atomically each).
  Status save_pretrained(const std::string& dir) const;
  std::string to_tokenizer_json() const;
  std::string to_vocab_json() const;
  std::string to_merges_txt() const;

 private:
  std::shared_ptr<const BpeData> data_;
};

}  // namespace marketlm
