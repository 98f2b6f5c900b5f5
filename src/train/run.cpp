#include "marketlm/train/run.h"

#include <cmath>
#include <filesystem>

#include "marketlm/core/file_io.h"
#include "marketlm/kernels/adamw.h"
#include "marketlm/kernels/gemm_bf16.h"
#include "marketlm/train/checkpoint.h"
#include "marketlm/train/packing.h"
#include "marketlm/train/token_cache.h"
#include "marketlm/train/trainer.h"

namespace marketlm {

Result<TrainRunSummary> run_training(const TrainConfig& config, const TextEncoder& encoder,
                                     const ModelFactory& factory, const Context& ctx,
                                     const std::atomic<bool>* stop) {
  ML_RETURN_IF_ERROR(validate_train_config(config));
  if (!factory.create || !factory.save || !factory.load) {
    return internal_error("model factory is incomplete: create, save and load are required");
  }
  if (!config.isa.empty()) ML_RETURN_IF_ERROR(kernels::resolve_isa(config.isa).status());
  {
    // A CPU without bf16 support fails here, before the data is tokenized.
    ML_ASSIGN_OR_RETURN(kernels::Isa isa, kernels::resolve_isa(config.isa));
    ML_RETURN_IF_ERROR(kernels::resolve_precision(config.precision, isa).status());
  }
  auto latest = latest_checkpoint(config.out_dir);
  if (config.resume && !latest.is_ok()) {
    return failed_precondition("nothing to resume: " + latest.status().message() +
                               "; drop --resume to start a new run");
  }
  if (!config.resume && latest.is_ok()) {
    return failed_precondition("'" + config.out_dir + "' already holds a training run (checkpoint '" + *latest +
                               "'); pass --resume to continue it or choose another --out");
  }

  // Data: tokenize once, pack, split.
  ML_ASSIGN_OR_RETURN(TokenizedCorpus corpus,
                      load_or_build_token_cache(config.data_files, config.resolved_cache_path(), encoder, ctx.logger,
                                                config.jsonl_fields));
  PackedSequences data = pack_sequences(corpus, config.seq_len, encoder.eot_id, config.pack_pairs);
  if (data.truncated_pairs > 0) {
    ctx.logger.warn(std::to_string(data.truncated_pairs) + " prompt/completion pairs were longer than seq_len + 1 = " +
                    std::to_string(config.seq_len + 1) + " tokens and were cut (prompt start first)");
  }
  DataSplit split = split_train_val(data.count(), config.val_fraction, split_seed_for(config.seed));
  if (split.train.empty()) {
    return data_error("the training data packs into no training sequences of seq_len + 1 = " +
                      std::to_string(config.seq_len + 1) + " tokens; add data or lower --seq-len");
  }
  if (config.val_fraction > 0 && split.val.empty()) {
    ctx.logger.warn("only " + std::to_string(data.count()) +
                    " sequence(s): nothing left for validation; add data or lower --seq-len");
  }
  ctx.logger.info(std::to_string(corpus.tokens.size()) + " tokens in " + std::to_string(corpus.num_docs()) +
                  " documents -> " + std::to_string(split.train.size()) + " train / " +
                  std::to_string(split.val.size()) + " validation sequences of " + std::to_string(config.seq_len) +
                  " tokens");

  // Memory: refuse before allocating the model when the estimate does not fit.
  TrainRunSummary summary;
  const uint64_t batch_bytes = static_cast<uint64_t>(config.grad_accum) * config.batch_size * config.seq_len * 8;
  const uint64_t data_bytes = data.tokens.size() * 5 + corpus.tokens.size() * 5 + batch_bytes;
  int64_t n_params = -1;
  if (factory.count_params) {
    ML_ASSIGN_OR_RETURN(n_params, factory.count_params(config.model, encoder.vocab_size));
  }
  auto estimate_and_check = [&](int64_t np) -> Status {
    const int64_t act = factory.activation_bytes
                            ? factory.activation_bytes(config.model, encoder.vocab_size, config.batch_size,
                                                       config.seq_len)
                            : -1;
    summary.memory = estimate_train_memory(np, act, data_bytes);
    uint64_t available;
    std::string source;
    if (config.memory_limit_mb > 0) {
      available = config.memory_limit_mb << 20;
      source = "memory_limit_mb in the config";
    } else {
      auto avail = available_memory_bytes();
      if (!avail.is_ok()) {
        ctx.logger.warn("cannot read available memory (" + avail.status().message() + "); memory check skipped");
        return Status::ok();
      }
      available = *avail;
      source = "MemAvailable in /proc/meminfo";
    }
    ctx.logger.info("memory estimate: " + summary.memory.describe() + " of " + format_bytes(available) +
                    " available");
    return check_memory_fits(summary.memory, available, source);
  };
  if (n_params >= 0) ML_RETURN_IF_ERROR(estimate_and_check(n_params));

  ML_ASSIGN_OR_RETURN(std::unique_ptr<TrainableModel> model,
                      factory.create(config.model, encoder.vocab_size, config.seed, ctx));
  if (n_params < 0) ML_RETURN_IF_ERROR(estimate_and_check(static_cast<int64_t>(model->num_params())));
  if (!config.init_from.empty() && !config.resume) {
    Status loaded = factory.load(*model, config.init_from);
    if (!loaded.is_ok()) {
      return Status(loaded.code(), "init_from '" + config.init_from + "': " + loaded.message() +
                                       " (the model block must match the directory's config.json)");
    }
    ctx.logger.info("initialised " + std::to_string(model->num_params()) + " parameters from '" +
                    config.init_from + "'");
  }
  summary.num_params = static_cast<int64_t>(model->num_params());
  summary.train_sequences = split.train.size();
  summary.val_sequences = split.val.size();

  ML_RETURN_IF_ERROR(make_dirs(config.out_dir));
  ML_RETURN_IF_ERROR(write_file_atomic(config.out_dir + "/train_config.json", train_config_to_json(config).dump(2) + "\n"));

  TrainableModel* m = model.get();
  ModelCheckpointIO io{[&factory, m](const std::string& dir) { return factory.save(*m, dir); },
                       [&factory, m](const std::string& dir) { return factory.load(*m, dir); }};
  Trainer trainer(m, config, &data, split, io, ctx);
  trainer.set_stop_flag(stop);
  if (config.resume) ML_RETURN_IF_ERROR(trainer.resume());
  summary.start_step = trainer.step();
  ML_RETURN_IF_ERROR(trainer.run());
  summary.steps = trainer.step();
  summary.final_loss = trainer.history().empty() ? 0 : trainer.history().back().loss;
  summary.final_val_loss = trainer.last_val_loss();
  summary.best_val_loss = trainer.best_val_loss();
  summary.tokens_seen = trainer.history().empty() ? 0 : trainer.history().back().tokens_seen;
  summary.checkpoint = trainer.last_checkpoint();
  summary.log_path = trainer.log_path();
  return summary;
}

}  // namespace marketlm
