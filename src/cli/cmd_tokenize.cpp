// `marketlm tokenize` (text <-> ids) and `marketlm tokenizer train`.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/text/bpe_trainer.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm::cli {
namespace {

constexpr const char* kDefaultTokenizer = "third_party/gpt2";

struct TokenizeOpts {
  std::string text, file, decode, tokenizer = kDefaultTokenizer;
  bool allow_special = false, disallow_special = false, skip_special = false, json = false, stats = false;
  int threads = 1;
};

// "1, 2 3" -> {1, 2, 3}; also accepts a JSON array "[1,2,3]".
Result<std::vector<int32_t>> parse_ids(const std::string& s) {
  std::vector<int32_t> ids;
  std::string cleaned = s;
  for (char& c : cleaned) {
    if (c == ',' || c == '[' || c == ']' || c == '\n' || c == '\t') c = ' ';
  }
  std::istringstream in(cleaned);
  std::string tok;
  while (in >> tok) {
    char* end = nullptr;
    long v = std::strtol(tok.c_str(), &end, 10);
    if (*end != '\0' || v < 0 || v > INT32_MAX) {
      return invalid_argument("--decode: '" + tok + "' is not a token id (expected non-negative integers)");
    }
    ids.push_back(static_cast<int32_t>(v));
  }
  return ids;
}

int run_tokenize(const TokenizeOpts& o) {
  const std::string cmd = "tokenize";
  int inputs = !o.text.empty() + !o.file.empty() + !o.decode.empty();
  if (inputs != 1) return report_error(cmd, invalid_argument("give exactly one of --text, --file or --decode"));
  if (o.allow_special && o.disallow_special) {
    return report_error(cmd, invalid_argument("--allow-special and --disallow-special exclude each other"));
  }
  std::string dir = o.tokenizer;
#ifdef MARKETLM_SOURCE_GPT2_DIR
  // The default path is relative to the repository root; from elsewhere, fall
  // back to the GPT-2 files of the source tree this binary was built from.
  if (dir == kDefaultTokenizer && !std::filesystem::exists(dir)) dir = MARKETLM_SOURCE_GPT2_DIR;
#endif
  auto tok = Tokenizer::from_pretrained(dir);
  if (!tok.is_ok()) return report_error(cmd, tok.status());
  if (!o.decode.empty()) {
    auto ids = parse_ids(o.decode);
    if (!ids.is_ok()) return report_error(cmd, ids.status());
    for (int32_t id : *ids) {
      if (id >= tok->vocab_size()) {
        return report_error(cmd, invalid_argument("--decode: id " + std::to_string(id) + " is outside the vocabulary (size " +
                                                  std::to_string(tok->vocab_size()) + ")"));
      }
    }
    std::string text = tok->decode(*ids, o.skip_special);
    if (o.json) {
      print_json({{"text", text}, {"ids", *ids}});
    } else {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fputc('\n', stdout);
    }
    return kExitOk;
  }
  std::string text = o.text;
  if (!o.file.empty()) {
    auto data = read_file(o.file);
    if (!data.is_ok()) return report_error(cmd, data.status());
    text = std::move(data).value();
  }
  std::vector<int32_t> ids;
  if (o.disallow_special) {
    auto r = tok->encode_checked(text, SpecialPolicy::kDisallow);
    if (!r.is_ok()) return report_error(cmd, r.status());
    ids = std::move(r).value();
  } else if (o.threads > 1) {
    ThreadPool pool(o.threads);
    ids = tok->encode_parallel(text, &pool, o.allow_special);
  } else {
    ids = tok->encode(text, o.allow_special);
  }
  if (o.stats) {
    int64_t chars = 0;  // UTF-8 characters: bytes that are not continuation bytes
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    print_json({{"tokens", ids.size()},
                {"bytes", text.size()},
                {"chars", chars},
                {"tokens_per_char", chars ? static_cast<double>(ids.size()) / static_cast<double>(chars) : 0.0}});
  } else if (o.json) {
    // pieces: each token's bytes as text (a token that ends inside a UTF-8
    // character shows U+FFFD); tokens: the vocabulary-file strings.
    nlohmann::json pieces = nlohmann::json::array(), tokens = nlohmann::json::array();
    for (int32_t id : ids) {
      pieces.push_back(tok->id_to_bytes(id));
      tokens.push_back(tok->id_to_token(id));
    }
    int64_t chars = 0;  // UTF-8 characters: bytes that are not continuation bytes
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    print_json({{"ids", ids},
                {"pieces", pieces},
                {"tokens", tokens},
                {"count", ids.size()},
                {"bytes", text.size()},
                {"chars", chars},
                {"tokens_per_char", chars ? static_cast<double>(ids.size()) / static_cast<double>(chars) : 0.0}});
  } else {
    std::string line;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) line += ' ';
      line += std::to_string(ids[i]);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return kExitOk;
}

struct TrainOpts {
  std::vector<std::string> data;
  std::string out;
  int vocab_size = 16000;
  int64_t min_frequency = 2;
  int cjk_chunk = 16;
  std::vector<std::string> special_tokens;
  int threads = 0;
  bool json = false, quiet = false;
};

int run_train(const TrainOpts& o) {
  const std::string cmd = "tokenizer train";
  auto start = std::chrono::steady_clock::now();
  BpeTrainerConfig cfg;
  cfg.vocab_size = o.vocab_size;
  cfg.min_frequency = o.min_frequency;
  cfg.pre.cjk_chunk = o.cjk_chunk;
  if (!o.special_tokens.empty()) cfg.special_tokens = o.special_tokens;
  BpeTrainer trainer(cfg);
  if (Status s = trainer.validate(); !s.is_ok()) return report_error(cmd, s);
  ThreadPool pool(o.threads);
  ProgressBar bar(!o.quiet);
  Context ctx;
  ctx.pool = &pool;
  ctx.progress = bar.sink();
  int64_t bytes = 0;
  for (size_t i = 0; i < o.data.size(); ++i) {
    auto text = read_file(o.data[i]);
    if (!text.is_ok()) return report_error(cmd, text.status());
    bytes += static_cast<int64_t>(text->size());
    trainer.feed(*text, &pool);
    ctx.report({"count", static_cast<int64_t>(i + 1), static_cast<int64_t>(o.data.size()), o.data[i],
                i + 1 == o.data.size()});
  }
  auto tok = trainer.train(ctx);
  if (!tok.is_ok()) return report_error(cmd, tok.status());
  if (Status s = tok->save_pretrained(o.out); !s.is_ok()) return report_error(cmd, s);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary = {{"out", o.out},
                            {"vocab_size", tok->vocab_size()},
                            {"merges", tok->num_merges()},
                            {"distinct_pre_tokens", trainer.distinct_words()},
                            {"training_bytes", bytes},
                            {"seconds", secs},
                            {"files", {"tokenizer.json", "vocab.json", "merges.txt"}}};
  if (o.json) {
    print_json(summary);
  } else {
    std::printf("wrote %s/{tokenizer.json,vocab.json,merges.txt}: vocab %d (%d merges) from %.2f MB in %.1f s\n",
                o.out.c_str(), tok->vocab_size(), tok->num_merges(), static_cast<double>(bytes) / 1e6, secs);
  }
  return kExitOk;
}

}  // namespace

void register_tokenize(CLI::App& app, CliState& state) {
  auto o = std::make_shared<TokenizeOpts>();
  auto* cmd = app.add_subcommand("tokenize", "Turn text into token ids, or ids back into text (byte-level BPE)");
  cmd->add_option("--text", o->text, "Text to encode");
  cmd->add_option("--file", o->file, "File whose bytes to encode");
  cmd->add_option("--decode", o->decode, "Token ids to decode, e.g. \"15496, 995\"");
  cmd->add_option("--tokenizer", o->tokenizer,
                  "Tokenizer directory: tokenizer.json, vocab.json + merges.txt, or encoder.json + vocab.bpe")
      ->capture_default_str();
  cmd->add_flag("--allow-special", o->allow_special, "Parse special tokens such as <|endoftext|> in the text");
  cmd->add_flag("--disallow-special", o->disallow_special, "Fail if the text contains a special token");
  cmd->add_flag("--skip-special-tokens", o->skip_special, "With --decode: drop special tokens");
  cmd->add_option("--threads", o->threads, "Threads for large inputs")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_flag("--json", o->json, "JSON output: ids, pieces (token bytes as text), tokens (vocab strings), counts");
  cmd->add_flag("--stats", o->stats, "Print only counts as JSON: tokens, bytes, chars, tokens_per_char");
  cmd->callback([&state, o] { state.exit_code = run_tokenize(*o); });
}

void register_tokenizer(CLI::App& app, CliState& state) {
  auto* group = app.add_subcommand("tokenizer", "Tokenizer tools");
  group->require_subcommand(1);
  auto o = std::make_shared<TrainOpts>();
  auto* train = group->add_subcommand("train", "Train a byte-level BPE tokenizer from text files");
  train->add_option("--data", o->data, "Training text files (UTF-8; any bytes work)")->required()->expected(1, -1);
  train->add_option("--out", o->out, "Output directory for tokenizer.json, vocab.json, merges.txt")->required();
  train->add_option("--vocab-size", o->vocab_size, "Vocabulary size, special tokens and 256 bytes included")
      ->capture_default_str();
  train->add_option("--min-frequency", o->min_frequency, "Merge only pairs seen at least this often")
      ->capture_default_str();
  train->add_option("--cjk-chunk", o->cjk_chunk, "Cut Han runs into pre-tokens of at most N characters (0 = off)")
      ->capture_default_str();
  train->add_option("--special-tokens", o->special_tokens,
                    "Special tokens, in id order (default: <|endoftext|> <|pad|> <|brief|> <|product|> "
                    "<|audience|> <|channel|> <|tone|> <|copy|> <|customer|> <|agent|>)");
  train->add_option("--threads", o->threads, "Threads for counting (0 = all cores)")->capture_default_str();
  train->add_flag("--json", o->json, "JSON summary on stdout");
  train->add_flag("--quiet", o->quiet, "No progress bar");
  train->callback([&state, o] { state.exit_code = run_train(*o); });

  auto c = std::make_shared<std::pair<std::string, std::string>>(kDefaultTokenizer, "");
  auto* convert = group->add_subcommand(
      "convert", "Write a tokenizer (any readable layout) as tokenizer.json + vocab.json + merges.txt");
  convert->add_option("--tokenizer", c->first, "Tokenizer directory to read")->capture_default_str();
  convert->add_option("--out", c->second, "Output directory")->required();
  convert->callback([&state, c] {
    auto tok = Tokenizer::from_pretrained(c->first);
    if (!tok.is_ok()) {
      state.exit_code = report_error("tokenizer convert", tok.status());
      return;
    }
    if (Status s = tok->save_pretrained(c->second); !s.is_ok()) {
      state.exit_code = report_error("tokenizer convert", s);
      return;
    }
    std::printf("wrote %s/{tokenizer.json,vocab.json,merges.txt} (vocab %d)\n", c->second.c_str(), tok->vocab_size());
    state.exit_code = kExitOk;
  });
}

}  // namespace marketlm::cli
