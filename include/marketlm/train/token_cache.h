// Binary token cache: a TokenizedCorpus written once so later runs (and
// resumes) skip tokenization. Little-endian layout, specified byte by byte in
// docs/training.md:
//
//   0  char[8] magic "MLMTOKC\0"      32 u64 n_tokens
//   8  u32 version (1)                40 u64 source_fingerprint
//   12 u32 vocab_size                 48 u64 payload FNV-1a hash
//   16 u64 vocab_hash                 56 u64 reserved (0)
//   24 u64 n_docs
//   64 u64 doc_offsets[n_docs + 1], u8 doc_is_pair[n_docs],
//      i32 tokens[n_tokens], u8 mask[n_tokens]
//
// Reading checks the magic, version, exact size (truncation), payload hash
// (corruption), token range and the tokenizer's vocab size and hash, so data
// tokenized with another vocabulary is refused.
#pragma once

#include <string>

#include "marketlm/core/status.h"
#include "marketlm/train/dataset.h"

namespace marketlm {

inline constexpr uint32_t kTokenCacheVersion = 1;

Status write_token_cache(const std::string& path, const TokenizedCorpus& corpus);

// expected_vocab_hash/size describe the tokenizer the model uses.
Result<TokenizedCorpus> read_token_cache(const std::string& path, int32_t expected_vocab_size,
                                         uint64_t expected_vocab_hash);

// Reuses `cache_path` when it exists and was built from the same files (same
// fingerprint); otherwise tokenizes and writes it. A cache built with another
// vocabulary is refused, never silently rebuilt.
Result<TokenizedCorpus> load_or_build_token_cache(const std::vector<std::string>& files,
                                                  const std::string& cache_path, const TextEncoder& encoder,
                                                  const Logger& logger, const JsonlFields& fields = {});

}  // namespace marketlm
