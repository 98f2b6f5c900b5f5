// `marketlm train` wiring: the real tokenizer and the GPT model behind the
// trainer's TextEncoder and ModelFactory (see train_wiring.h).
#include "cli/train_wiring.h"

#include <filesystem>

#include "cli/gpt_wiring.h"
#include "marketlm/text/byte_level.h"

namespace marketlm::cli {

namespace {

std::string tokenizer_files_hint(const std::string& dir) {
  return " (a tokenizer directory holds tokenizer.json, or vocab.json + merges.txt; use --tokenizer bytes for "
         "byte-level tokens" +
         std::string(dir == kDefaultTrainingTokenizer ? "; third_party/gpt2 is filled by scripts/setup.sh and is "
                                                        "found relative to the current directory"
                                                      : "") +
         ")";
}

}  // namespace

Result<Tokenizer> load_training_tokenizer(const std::string& tokenizer) {
  if (tokenizer == "bytes") {
    std::vector<std::string> vocab(256);
    for (int b = 0; b < 256; ++b) vocab[static_cast<size_t>(b)] = text::byte_to_symbol(static_cast<uint8_t>(b));
    return Tokenizer::from_parts(vocab, {}, {AddedToken{256, "<|endoftext|>", true}}, PreTokenizerConfig{}, "bytes");
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(tokenizer, ec))
    return not_found("tokenizer '" + tokenizer + "': no such directory" + tokenizer_files_hint(tokenizer));
  auto tok = Tokenizer::from_pretrained(tokenizer);
  if (!tok.is_ok()) return Status(tok.status().code(), tok.status().message() + tokenizer_files_hint(tokenizer));
  return tok;
}

Result<TextEncoder> make_training_encoder(const std::string& tokenizer) {
  if (tokenizer == "bytes") return byte_level_encoder();
  ML_ASSIGN_OR_RETURN(Tokenizer tok, load_training_tokenizer(tokenizer));
  auto shared = std::make_shared<const Tokenizer>(std::move(tok));
  TextEncoder e;
  e.encode = [shared](std::string_view text) { return shared->encode(text); };
  e.vocab_size = shared->vocab_size();
  const std::string vocab = shared->to_vocab_json(), merges = shared->to_merges_txt();
  e.vocab_hash = fnv1a64(merges.data(), merges.size(), fnv1a64(vocab.data(), vocab.size()));
  e.eot_id = shared->token_to_id("<|endoftext|>").value_or(-1);
  e.name = tokenizer + " BPE (" + std::to_string(e.vocab_size) + " tokens)";
  return e;
}

Result<ModelFactory> make_training_model_factory(const TrainConfig& config, const TextEncoder& encoder) {
  // Validate the model block now, so a typo fails before the data is tokenized.
  ML_ASSIGN_OR_RETURN(GptConfig gpt, gpt_config_from_block(config.model, encoder.vocab_size, encoder.eot_id,
                                                           config.seq_len));
  ML_ASSIGN_OR_RETURN(Tokenizer tok, load_training_tokenizer(config.tokenizer));
  auto shared_tok = std::make_shared<const Tokenizer>(std::move(tok));
  const int32_t eot = encoder.eot_id;
  const int seq_len = config.seq_len;
  const std::string isa = config.isa, precision = config.precision;
  ModelFactory f;
  f.create = [eot, seq_len, isa, precision](const nlohmann::json& block, int32_t vocab, uint64_t seed,
                                 const Context& ctx) -> Result<std::unique_ptr<TrainableModel>> {
    ML_ASSIGN_OR_RETURN(GptConfig c, gpt_config_from_block(block, vocab, eot, seq_len));
    return create_gpt(c, seed, ctx, isa, precision);
  };
  f.save = [shared_tok](TrainableModel& m, const std::string& dir) {
    ML_RETURN_IF_ERROR(save_gpt(m, dir));
    return shared_tok->save_pretrained(dir);
  };
  f.load = [](TrainableModel& m, const std::string& dir) { return load_gpt(m, dir); };
  f.count_params = [eot, seq_len](const nlohmann::json& block, int32_t vocab) -> Result<int64_t> {
    ML_ASSIGN_OR_RETURN(GptConfig c, gpt_config_from_block(block, vocab, eot, seq_len));
    return gpt_num_params(c);
  };
  f.activation_bytes = [eot, seq_len](const nlohmann::json& block, int32_t vocab, int B, int T) -> int64_t {
    auto c = gpt_config_from_block(block, vocab, eot, seq_len);
    return c.is_ok() ? gpt_activation_bytes(*c, B, T) : 0;
  };
  (void)gpt;
  return f;
}

}  // namespace marketlm::cli
