// Model: GptModel + GptDecoder + ThreadPool behind one object (see model.h).
#include "marketlm/generate/model.h"

#include <filesystem>

#include "marketlm/core/thread_pool.h"
#include "marketlm/generate/gpt_decoder.h"
#include "marketlm/models/gpt/gpt_model.h"

namespace marketlm {

struct Model::Impl {
  std::string dir;
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<GptModel> gpt;
  std::unique_ptr<GptDecoder> decoder;
  GenerationConfig defaults;
};

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Result<Model> Model::from_pretrained(const std::string& dir, const ModelOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty()) return invalid_argument("no model directory given");
  if (!fs::is_directory(dir, ec)) return not_found(dir + ": no such model directory");
  for (const char* f : {"config.json", "model.safetensors"}) {
    if (!fs::exists(fs::path(dir) / f, ec))
      return not_found(dir + ": not a model directory (" + f +
                       " is missing; expected config.json, model.safetensors and generation_config.json)");
  }
  if (options.threads < 0) return invalid_argument("threads must be >= 0, got " + std::to_string(options.threads));
  ML_ASSIGN_OR_RETURN(kernels::Isa isa, kernels::resolve_isa(options.isa));
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->pool = std::make_unique<ThreadPool>(options.threads);
  ML_ASSIGN_OR_RETURN(impl->gpt, GptModel::from_pretrained(dir, kernels::KernelContext{impl->pool.get(), isa}));
  // For decoding: an f32 model takes its row-major decode copies.
  if (impl->gpt->weight_format() == kernels::WeightFormat::kF32)
    ML_RETURN_IF_ERROR(impl->gpt->set_weight_format(kernels::WeightFormat::kF32));
  const std::string gen_path = (fs::path(dir) / "generation_config.json").string();
  if (fs::exists(gen_path, ec)) {
    auto g = load_generation_config(gen_path);
    if (!g.is_ok()) return Status(g.status().code(), gen_path + ": " + g.status().message());
    impl->defaults = std::move(g).value();
  } else {
    impl->defaults.eos_token_id = {impl->gpt->config().eos_token_id};
  }
  impl->decoder = std::make_unique<GptDecoder>(impl->gpt.get(), options.max_slots);
  return Model(std::move(impl));
}

Result<GenerationOutput> Model::generate(const std::vector<int32_t>& ids, const GenerationConfig& config,
                                         const GenerationHooks& hooks) {
  if (config.eos_token_id.empty() && !impl_->defaults.eos_token_id.empty()) {
    GenerationConfig c = config;
    c.eos_token_id = impl_->defaults.eos_token_id;
    return marketlm::generate(*impl_->decoder, ids, c, hooks);
  }
  return marketlm::generate(*impl_->decoder, ids, config, hooks);
}

const GenerationConfig& Model::generation_config() const { return impl_->defaults; }
int Model::vocab_size() const { return impl_->gpt->config().vocab_size; }
int Model::n_ctx() const { return impl_->gpt->config().n_ctx; }
int64_t Model::num_params() const { return static_cast<int64_t>(impl_->gpt->num_params()); }
const std::string& Model::dir() const { return impl_->dir; }
GptModel& Model::gpt() { return *impl_->gpt; }
Decoder& Model::decoder() { return *impl_->decoder; }

}  // namespace marketlm
