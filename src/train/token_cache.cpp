#include "marketlm/train/token_cache.h"

#include <cstring>
#include <filesystem>

#include "marketlm/core/file_io.h"

namespace marketlm {

namespace {

constexpr char kMagic[8] = {'M', 'L', 'M', 'T', 'O', 'K', 'C', '\0'};
constexpr size_t kHeaderBytes = 64;

template <typename T>
void put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
T get(const std::string& s, size_t off) {
  T v;
  std::memcpy(&v, s.data() + off, sizeof v);
  return v;
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

Status write_token_cache(const std::string& path, const TokenizedCorpus& c) {
  const uint64_t n_docs = c.num_docs(), n_tok = c.tokens.size();
  if (c.doc_offsets.size() != n_docs + 1 || c.mask.size() != n_tok) {
    return internal_error("token cache '" + path + "': inconsistent corpus sizes");
  }
  std::string payload;
  payload.reserve((n_docs + 1) * 8 + n_docs + n_tok * 5);
  payload.append(reinterpret_cast<const char*>(c.doc_offsets.data()), (n_docs + 1) * 8);
  payload.append(reinterpret_cast<const char*>(c.doc_is_pair.data()), n_docs);
  payload.append(reinterpret_cast<const char*>(c.tokens.data()), n_tok * 4);
  payload.append(reinterpret_cast<const char*>(c.mask.data()), n_tok);
  std::string header(kMagic, 8);
  put<uint32_t>(&header, kTokenCacheVersion);
  put<uint32_t>(&header, static_cast<uint32_t>(c.vocab_size));
  put<uint64_t>(&header, c.vocab_hash);
  put<uint64_t>(&header, n_docs);
  put<uint64_t>(&header, n_tok);
  put<uint64_t>(&header, c.source_fingerprint);
  put<uint64_t>(&header, fnv1a64(payload.data(), payload.size()));
  put<uint64_t>(&header, 0);
  AtomicFileWriter w;
  ML_RETURN_IF_ERROR(w.open(path));
  ML_RETURN_IF_ERROR(w.write(header));
  ML_RETURN_IF_ERROR(w.write(payload));
  return w.commit();
}

Result<TokenizedCorpus> read_token_cache(const std::string& path, int32_t expected_vocab_size,
                                         uint64_t expected_vocab_hash) {
  ML_ASSIGN_OR_RETURN(std::string s, read_file(path));
  const std::string rebuild = "; delete '" + path + "' to tokenize the data again";
  if (s.size() < kHeaderBytes || std::memcmp(s.data(), kMagic, 8) != 0) {
    return data_error("'" + path + "' is not a marketlm token cache (bad magic or shorter than its header)" +
                      rebuild);
  }
  const uint32_t version = get<uint32_t>(s, 8);
  if (version != kTokenCacheVersion) {
    return data_error("token cache '" + path + "' has version " + std::to_string(version) + ", this build reads " +
                      std::to_string(kTokenCacheVersion) + rebuild);
  }
  TokenizedCorpus c;
  c.vocab_size = static_cast<int32_t>(get<uint32_t>(s, 12));
  c.vocab_hash = get<uint64_t>(s, 16);
  const uint64_t n_docs = get<uint64_t>(s, 24), n_tok = get<uint64_t>(s, 32);
  c.source_fingerprint = get<uint64_t>(s, 40);
  const uint64_t payload_hash = get<uint64_t>(s, 48);
  if (c.vocab_hash != expected_vocab_hash || c.vocab_size != expected_vocab_size) {
    return failed_precondition("token cache '" + path + "' was tokenized with another vocabulary (vocab size " +
                               std::to_string(c.vocab_size) + ", hash " + hex(c.vocab_hash) +
                               ") than the model's tokenizer (vocab size " + std::to_string(expected_vocab_size) +
                               ", hash " + hex(expected_vocab_hash) + "); use the tokenizer it was built with" +
                               rebuild);
  }
  if (n_docs > (1ull << 40) || n_tok > (1ull << 40)) {
    return data_error("token cache '" + path + "' has an impossible header (n_docs " + std::to_string(n_docs) +
                      ", n_tokens " + std::to_string(n_tok) + ")" + rebuild);
  }
  const uint64_t expected = kHeaderBytes + (n_docs + 1) * 8 + n_docs + n_tok * 5;
  if (s.size() != expected) {
    return data_error("token cache '" + path + "' is " + (s.size() < expected ? "truncated" : "too long") +
                      ": " + std::to_string(s.size()) + " bytes, header says " + std::to_string(expected) +
                      rebuild);
  }
  if (fnv1a64(s.data() + kHeaderBytes, s.size() - kHeaderBytes) != payload_hash) {
    return data_error("token cache '" + path + "' is corrupt (payload hash mismatch)" + rebuild);
  }
  size_t off = kHeaderBytes;
  c.doc_offsets.resize(n_docs + 1);
  std::memcpy(c.doc_offsets.data(), s.data() + off, (n_docs + 1) * 8);
  off += (n_docs + 1) * 8;
  c.doc_is_pair.assign(s.begin() + static_cast<ptrdiff_t>(off), s.begin() + static_cast<ptrdiff_t>(off + n_docs));
  off += n_docs;
  c.tokens.resize(n_tok);
  std::memcpy(c.tokens.data(), s.data() + off, n_tok * 4);
  off += n_tok * 4;
  c.mask.assign(s.begin() + static_cast<ptrdiff_t>(off), s.end());
  if (c.doc_offsets.front() != 0 || c.doc_offsets.back() != n_tok) {
    return data_error("token cache '" + path + "' has bad document offsets" + rebuild);
  }
  for (size_t i = 0; i < n_docs; ++i) {
    if (c.doc_offsets[i] > c.doc_offsets[i + 1]) {
      return data_error("token cache '" + path + "' has bad document offsets" + rebuild);
    }
  }
  for (int32_t t : c.tokens) {
    if (t < 0 || t >= c.vocab_size) {
      return data_error("token cache '" + path + "' holds token id " + std::to_string(t) + " outside the vocab of " +
                        std::to_string(c.vocab_size) + rebuild);
    }
  }
  return c;
}

Result<TokenizedCorpus> load_or_build_token_cache(const std::vector<std::string>& files,
                                                  const std::string& cache_path, const TextEncoder& encoder,
                                                  const Logger& logger, const JsonlFields& fields) {
  ML_ASSIGN_OR_RETURN(uint64_t fingerprint, data_files_fingerprint(files, fields));
  std::error_code ec;
  if (std::filesystem::exists(cache_path, ec)) {
    ML_ASSIGN_OR_RETURN(TokenizedCorpus c, read_token_cache(cache_path, encoder.vocab_size, encoder.vocab_hash));
    if (c.source_fingerprint == fingerprint) {
      logger.info("using token cache '" + cache_path + "' (" + std::to_string(c.tokens.size()) + " tokens)");
      return c;
    }
    logger.info("data files changed since '" + cache_path + "' was written; tokenizing again");
  }
  ML_ASSIGN_OR_RETURN(TokenizedCorpus c, tokenize_data_files(files, encoder, logger, fields));
  const auto parent = std::filesystem::path(cache_path).parent_path();
  if (!parent.empty()) ML_RETURN_IF_ERROR(make_dirs(parent.string()));
  ML_RETURN_IF_ERROR(write_token_cache(cache_path, c));
  logger.info("wrote token cache '" + cache_path + "' (" + std::to_string(c.tokens.size()) + " tokens, " +
              std::to_string(c.num_docs()) + " documents)");
  return c;
}

}  // namespace marketlm
