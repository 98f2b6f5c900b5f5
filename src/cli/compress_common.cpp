// Helpers shared by the compression commands (see compress_common.h).
#include "cli/compress_common.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "cli/output.h"
#include "marketlm/core/file_io.h"
#include "marketlm/text/tokenizer.h"

namespace marketlm::cli {
namespace fs = std::filesystem;

Result<kernels::KernelContext> compress_context(ThreadPool* pool) {
  const char* env = std::getenv("MARKETLM_ISA");
  ML_ASSIGN_OR_RETURN(kernels::Isa isa, kernels::resolve_isa(env ? env : ""));
  return kernels::KernelContext{pool, isa};
}

Result<CompressSource> load_compress_source(const ModelEvalOpts& o, ThreadPool* pool) {
  ML_ASSIGN_OR_RETURN(kernels::KernelContext ctx, compress_context(pool));
  CompressSource src;
  ML_ASSIGN_OR_RETURN(src.model, GptModel::from_pretrained(o.model, ctx));
  if (o.data.empty()) return src;
  ML_ASSIGN_OR_RETURN(src.tokens, tokenize_for_model(o.model, o.tokenizer, src.model->config().vocab_size, o.data));
  ML_ASSIGN_OR_RETURN(src.perplexity, perplexity_json(*src.model, src.tokens, o.window, o.max_tokens, !o.json));
  return src;
}

Result<std::vector<int32_t>> tokenize_for_model(const std::string& model_dir, const std::string& tokenizer,
                                                int vocab_size, const std::string& data_path) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(data_path));
  const bool has_files = fs::exists(model_dir + "/vocab.json") || fs::exists(model_dir + "/tokenizer.json");
  if (tokenizer == "bytes" || (tokenizer.empty() && !has_files)) {
    if (vocab_size < 256)
      return invalid_argument(model_dir + ": no tokenizer files and vocab_size " + std::to_string(vocab_size) +
                              " < 256, so bytes cannot be ids; pass --tokenizer DIR");
    std::vector<int32_t> ids;
    ids.reserve(text.size());
    for (unsigned char ch : text) ids.push_back(ch);
    return ids;
  }
  ML_ASSIGN_OR_RETURN(Tokenizer tok, Tokenizer::from_pretrained(tokenizer.empty() ? model_dir : tokenizer));
  return tok.encode(text);
}

Result<nlohmann::json> perplexity_json(GptModel& model, const std::vector<int32_t>& tokens, int window,
                                       int64_t max_tokens, bool progress) {
  ProgressBar bar(progress);
  ProgressSink sink = bar.sink();
  const auto t0 = std::chrono::steady_clock::now();
  ML_ASSIGN_OR_RETURN(PerplexityResult r, gpt_perplexity(model, tokens, window, max_tokens, &sink));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return nlohmann::json{{"format", kernels::weight_format_name(model.weight_format())},
                        {"perplexity", r.perplexity()},
                        {"mean_nll", r.mean_nll()},
                        {"tokens", r.predicted},
                        {"windows", r.windows},
                        {"seconds", secs},
                        {"tokens_per_second", secs > 0 ? static_cast<double>(r.predicted) / secs : 0.0}};
}

Status save_model_dir_atomic(const GptModel& model, const std::string& src_dir, const std::string& out_dir) {
  fs::path out = fs::path(out_dir).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();
  const fs::path tmp = out.string() + ".tmp-marketlm";
  const fs::path old = out.string() + ".old-marketlm";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  ML_RETURN_IF_ERROR(model.save_pretrained(tmp.string()));
  for (const char* f : {"vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json"}) {
    const fs::path s = fs::path(src_dir) / f;
    if (!fs::exists(s)) continue;
    fs::copy_file(s, tmp / f, fs::copy_options::overwrite_existing, ec);
    if (ec) return io_error("copying " + s.string() + " to " + tmp.string() + ": " + ec.message());
  }
  fs::remove_all(old, ec);
  if (fs::exists(out)) {
    fs::rename(out, old, ec);
    if (ec) return io_error("moving the existing " + out.string() + " aside: " + ec.message());
  }
  fs::rename(tmp, out, ec);
  if (ec) return io_error("renaming " + tmp.string() + " to " + out.string() + ": " + ec.message());
  fs::remove_all(old, ec);
  return Status::ok();
}

int64_t model_file_bytes(const std::string& dir) {
  std::error_code ec;
  const auto n = fs::file_size(fs::path(dir) / "model.safetensors", ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

void add_model_eval_options(CLI::App* c, ModelEvalOpts& o) {
  c->add_option("--tokenizer", o.tokenizer, "Tokenizer directory, or 'bytes' (default: the model's)");
  c->add_option("--max-tokens", o.max_tokens, "Score at most this many tokens of --data (0 = all)");
  c->add_option("--window", o.window, "Tokens per perplexity window (0 = n_ctx)");
  c->add_option("--threads", o.threads, "Worker threads (0 = all cores)");
  c->add_flag("--json", o.json, "Machine-readable output");
}

}  // namespace marketlm::cli
