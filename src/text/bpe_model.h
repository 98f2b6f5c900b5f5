// The data behind a Tokenizer: vocabulary, merge table and added tokens, plus
// the byte-pair merge of one pre-token. Immutable once built.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "marketlm/core/status.h"
#include "marketlm/text/tokenizer.h"
#include "text/flat_map.h"
#include "text/pair_map.h"
#include "text/piece_map.h"

namespace marketlm {

struct BpeData {
  std::string name;                       // where it came from, for messages
  std::vector<std::string> tokens;        // id -> vocab-file string ("" = hole)
  std::vector<std::string> bytes;         // id -> raw bytes
  std::vector<uint8_t> special;           // id -> 1 when a special added token
  std::array<int32_t, 256> byte_id{};     // single byte -> id
  text::PairMap merges;                   // (a, b) -> (rank, merged id)
  std::vector<std::pair<int32_t, int32_t>> merge_list;  // rank -> (a, b)
  text::BytesMap token_by_string;         // vocab-file string -> id
  text::BytesMap token_by_bytes;          // raw bytes -> id (base vocab only)
  text::PieceMap piece_to_id;             // the same, tuned for the encode hot path
  std::vector<AddedToken> added;
  PreTokenizerConfig pre;
  // True when every base token t satisfies bpe(bytes(t)) == [t]; then a
  // pre-token that is itself a token can skip the merge loop (as tiktoken does).
  bool whole_piece_shortcut = false;
};

// Builds BpeData from byte-level strings. `source` names the file(s) in errors.
Result<std::shared_ptr<BpeData>> build_bpe_data(const std::vector<std::string>& vocab,
                                                const std::vector<std::pair<std::string, std::string>>& merges,
                                                const std::vector<AddedToken>& added,
                                                const PreTokenizerConfig& pre, const std::string& source);

// Appends the ids of one pre-token (raw bytes) using the merge table only.
void bpe_merge(const BpeData& d, std::string_view piece, std::vector<int32_t>& out);

}  // namespace marketlm
