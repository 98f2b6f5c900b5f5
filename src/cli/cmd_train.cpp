// marketlm train: trains a model from a JSON config and/or flags (flags win).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/model_dir.h"
#include "cli/output.h"
#include "cli/train_wiring.h"
#include "marketlm/core/file_io.h"
#include "marketlm/core/thread_pool.h"
#include "marketlm/train/checkpoint.h"
#include "marketlm/train/run.h"

namespace marketlm::cli {

namespace {

struct TrainOpts {
  std::string config;
  std::vector<std::string> data;
  std::string out, cache, tokenizer, init_from, precision;
  std::string command = "train";  // for error messages: train or finetune
  int64_t max_steps = 0, warmup_steps = 0, eval_every = 0, save_every = 0;
  int batch_size = 0, seq_len = 0, grad_accum = 0, threads = 0, n_layer = 0, n_head = 0, n_embd = 0;
  float lr = 0, min_lr = 0, weight_decay = 0, grad_clip = 0;
  double val_fraction = 0;
  uint64_t seed = 0, memory_limit_mb = 0;
  bool resume = false, json = false, quiet = false;
  std::map<std::string, CLI::Option*> given;
};

bool given(const TrainOpts& o, const std::string& name) {
  auto it = o.given.find(name);
  return it != o.given.end() && it->second->count() > 0;
}

// Fine-tuning keeps the starting model's shape: its config.json fills the
// model block's dimensions; a dimension the config sets differently is an
// error (the weights could not be loaded). Dropout and the like stay free.
Status adopt_init_model_shape(const std::string& dir, nlohmann::json* block) {
  const std::string path = dir + "/config.json";
  auto text = read_file(path);
  if (!text.is_ok()) return not_found("init_from '" + dir + "': cannot read " + path + " (" + text.status().message() +
                                      "); expected a model directory written by marketlm train or save_pretrained");
  nlohmann::json cfg = nlohmann::json::parse(*text, nullptr, false);
  if (!cfg.is_object()) return data_error(path + ": not a JSON object");
  for (const char* key : {"n_layer", "n_head", "n_embd", "n_ctx", "vocab_size", "n_inner"}) {
    auto it = cfg.find(key);
    if (it == cfg.end() || it->is_null()) continue;
    if (!it->is_number_integer()) return data_error(path + ": '" + key + "' must be an integer, got " + it->dump());
    if (block->contains(key) && (*block)[key] != *it) {
      return invalid_argument(std::string("model.") + key + " = " + (*block)[key].dump() + " differs from " + path +
                              " (" + it->dump() + "); fine-tuning keeps the model's shape: drop it from the config");
    }
    (*block)[key] = *it;
  }
  return Status::ok();
}

Result<TrainConfig> build_config(const TrainOpts& o) {
  TrainConfig c;
  bool config_names_tokenizer = false;
  if (!o.config.empty()) {
    ML_ASSIGN_OR_RETURN(c, load_train_config(o.config));
    // The CLI's default tokenizer is GPT-2's; a config file may still say "bytes".
    auto text = read_file(o.config);
    config_names_tokenizer = text.is_ok() && nlohmann::json::parse(*text, nullptr, false).contains("tokenizer");
  }
  if (!config_names_tokenizer) c.tokenizer = kDefaultTrainingTokenizer;
  if (given(o, "data")) c.data_files = o.data;
  if (given(o, "out")) c.out_dir = o.out;
  if (given(o, "cache")) c.cache_path = o.cache;
  if (given(o, "tokenizer")) c.tokenizer = o.tokenizer;
  if (given(o, "max-steps")) c.max_steps = o.max_steps;
  if (given(o, "batch-size")) c.batch_size = o.batch_size;
  if (given(o, "seq-len")) c.seq_len = o.seq_len;
  if (given(o, "grad-accum")) c.grad_accum = o.grad_accum;
  if (given(o, "lr")) c.lr = o.lr;
  if (given(o, "min-lr")) c.min_lr = o.min_lr;
  else if (given(o, "lr") && c.min_lr > c.lr) c.min_lr = c.lr / 10;
  if (given(o, "warmup-steps")) c.warmup_steps = o.warmup_steps;
  if (given(o, "weight-decay")) c.weight_decay = o.weight_decay;
  if (given(o, "grad-clip")) c.grad_clip = o.grad_clip;
  if (given(o, "seed")) c.seed = o.seed;
  if (given(o, "threads")) c.threads = o.threads;
  if (given(o, "val-fraction")) c.val_fraction = o.val_fraction;
  if (given(o, "eval-every")) c.eval_every = o.eval_every;
  if (given(o, "save-every")) c.save_every = o.save_every;
  if (given(o, "memory-limit-mb")) c.memory_limit_mb = o.memory_limit_mb;
  if (given(o, "n-layer")) c.model["n_layer"] = o.n_layer;
  if (given(o, "n-head")) c.model["n_head"] = o.n_head;
  if (given(o, "n-embd")) c.model["n_embd"] = o.n_embd;
  if (given(o, "init-from")) c.init_from = o.init_from;
  if (given(o, "precision")) c.precision = o.precision;
  if (o.resume) c.resume = true;
  if (!c.init_from.empty()) {
    c.init_from = resolve_model_dir(c.init_from);  // a run directory stands for its newest checkpoint
    // The model's own tokenizer unless one is named, and its shape.
    if (!given(o, "tokenizer") && !config_names_tokenizer) c.tokenizer = c.init_from;
    ML_RETURN_IF_ERROR(adopt_init_model_shape(c.init_from, &c.model));
  }
  if (c.isa.empty()) {
    if (const char* isa = std::getenv("MARKETLM_ISA")) c.isa = isa;
  }
  ML_RETURN_IF_ERROR(validate_train_config(c));
  return c;
}

// Ctrl-C / SIGTERM -> a stop flag, without a global: the signals are blocked
// in every thread (create this before the thread pool) and one thread waits
// for them with sigwait. The first asks the trainer to stop after the current
// step with a checkpoint; a second one ends the process at once (checkpoints
// are written atomically, so the last complete one survives).
class InterruptWatcher {
 public:
  InterruptWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    thread_ = std::thread([this] {
      int sig = 0;
      while (sigwait(&set_, &sig) == 0) {
        if (done_.load()) return;
        if (stop_.exchange(true)) {
          ::signal(sig, SIG_DFL);
          pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
          raise(sig);
          return;
        }
        std::fprintf(stderr, "\nmarketlm train: stopping after this step and saving a checkpoint "
                             "(press Ctrl-C again to quit now)\n");
      }
    });
  }
  ~InterruptWatcher() {
    done_ = true;
    pthread_kill(thread_.native_handle(), SIGINT);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;
  const std::atomic<bool>* flag() const { return &stop_; }

 private:
  sigset_t set_{}, old_{};
  std::atomic<bool> stop_{false}, done_{false};
  std::thread thread_;
};

int run_train(const TrainOpts& o) {
  InterruptWatcher interrupt;  // before the pool, so its threads inherit the blocked signals
  auto config = build_config(o);
  if (!config.is_ok()) return report_error(o.command, config.status());
  auto encoder = make_training_encoder(config->tokenizer);
  if (!encoder.is_ok()) return report_error(o.command, encoder.status());
  auto factory = make_training_model_factory(*config, *encoder);
  if (!factory.is_ok()) return report_error(o.command, factory.status());
  ThreadPool pool(config->threads);
  ProgressBar bar(!o.quiet);
  Context ctx;
  ctx.pool = &pool;
  ctx.logger = o.quiet ? Logger() : Logger::to_stderr();
  ctx.progress = bar.sink();
  auto r = run_training(*config, *encoder, *factory, ctx, interrupt.flag());
  if (!r.is_ok()) return report_error(o.command, r.status());
  if (o.json) {
    nlohmann::json j = {{"steps", r->steps},
                        {"start_step", r->start_step},
                        {"final_loss", r->final_loss},
                        {"final_val_loss", r->final_val_loss},
                        {"best_val_loss", r->best_val_loss},
                        {"tokens_seen", r->tokens_seen},
                        {"num_params", r->num_params},
                        {"train_sequences", r->train_sequences},
                        {"val_sequences", r->val_sequences},
                        {"checkpoint", r->checkpoint},
                        {"log", r->log_path},
                        {"memory_estimate_bytes", r->memory.total()}};
    print_json(j);
  } else if (r->steps == r->start_step) {
    std::printf("the run in %s already finished at step %lld: nothing to do (raise --max-steps to train on)\n"
                "checkpoint: %s\n",
                config->out_dir.c_str(), static_cast<long long>(r->steps), r->checkpoint.c_str());
  } else {
    std::printf("trained %lld steps (%lld tokens): train loss %.4f", static_cast<long long>(r->steps),
                static_cast<long long>(r->tokens_seen), r->final_loss);
    if (r->final_val_loss >= 0) std::printf(", val loss %.4f (best %.4f)", r->final_val_loss, r->best_val_loss);
    std::printf("\ncheckpoint: %s\nlog: %s\nplot it: marketlm plot-loss --log %s --out %s/loss.svg\n",
                r->checkpoint.c_str(), r->log_path.c_str(), r->log_path.c_str(), config->out_dir.c_str());
  }
  return kExitOk;
}

}  // namespace

namespace {

void add_train_options(CLI::App* cmd, const std::shared_ptr<TrainOpts>& o) {
  auto add = [&](const std::string& flags, auto& var, const std::string& help) {
    CLI::Option* opt = cmd->add_option(flags, var, help);
    o->given[opt->get_name().substr(2)] = opt;  // long name without "--"
    return opt;
  };
  cmd->add_option("--config", o->config, "JSON config with every setting (see configs/); flags override it")
      ->check(CLI::ExistingFile);
  add("--data", o->data, "Training data: .txt (one document per file) or .jsonl ({\"text\"} or "
                         "{\"prompt\",\"completion\"}); repeat for several files")
      ->allow_extra_args(false);
  add("--out", o->out, "Run directory: checkpoints, log.jsonl, token cache");
  add("--cache", o->cache, "Token cache file (default OUT/token_cache.bin)");
  add("--tokenizer", o->tokenizer, "Tokenizer directory (tokenizer.json, or vocab.json + merges.txt; default third_party/gpt2), or 'bytes'");
  add("--max-steps,--steps", o->max_steps, "Optimizer steps in total");
  add("--batch-size", o->batch_size, "Sequences per micro-batch");
  add("--seq-len", o->seq_len, "Tokens per sequence (T)");
  add("--grad-accum", o->grad_accum, "Micro-batches per optimizer step");
  add("--lr", o->lr, "Peak learning rate (after warmup)");
  add("--min-lr", o->min_lr, "Learning rate at the end of the cosine decay");
  add("--warmup-steps", o->warmup_steps, "Linear warmup steps");
  add("--weight-decay", o->weight_decay, "AdamW decoupled weight decay (not on biases/LayerNorm)");
  add("--grad-clip", o->grad_clip, "Clip the global gradient norm to this (0 = off)");
  add("--seed", o->seed, "Seed for init, data order, split and dropout");
  add("--threads", o->threads, "Worker threads (0 = all cores)");
  add("--val-fraction", o->val_fraction, "Share of sequences held out for validation");
  add("--eval-every", o->eval_every, "Validation every N steps (0 = only at the end)");
  add("--save-every", o->save_every, "Checkpoint every N steps (0 = only at the end)");
  add("--memory-limit-mb", o->memory_limit_mb, "Refuse configs estimated above this (default MemAvailable)");
  add("--precision", o->precision,
      "Matrix products: fp32, or bf16 (bf16 inputs, fp32 accumulation and master weights; needs AVX512-BF16 "
      "or AMX), or one bf16 kernel: bf16-scalar, bf16-avx512, bf16-amx");
  add("--n-layer", o->n_layer, "Transformer blocks (overrides model.n_layer)");
  add("--n-head", o->n_head, "Attention heads (overrides model.n_head)");
  add("--n-embd", o->n_embd, "Embedding width (overrides model.n_embd)");
  cmd->add_flag("--resume", o->resume, "Continue the run in --out from its latest checkpoint");
  cmd->add_flag("--json", o->json, "Print the run summary as JSON");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress line or log messages");
}

}  // namespace

void register_train(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand("train", "Train a model on text / JSONL data (config file + flags)");
  auto o = std::make_shared<TrainOpts>();
  add_train_options(cmd, o);
  CLI::Option* init = cmd->add_option("--init-from", o->init_from,
                                      "Start from this model directory's weights (fine-tuning), or a run "
                                      "directory's newest checkpoint; its shape and tokenizer are used unless the "
                                      "config names them");
  o->given["init-from"] = init;
  cmd->callback([&state, o] { state.exit_code = run_train(*o); });
}

void register_finetune(CLI::App& app, CliState& state) {
  auto* cmd = app.add_subcommand(
      "finetune", "Fine-tune a trained model on text / JSONL data: `train --init-from MODEL` (config file + flags)");
  auto o = std::make_shared<TrainOpts>();
  o->command = "finetune";
  add_train_options(cmd, o);
  CLI::Option* init = cmd->add_option("--model", o->init_from,
                                      "Model directory to start from (config.json, model.safetensors, tokenizer), "
                                      "or a training run directory (its newest checkpoint)")
                          ->required();
  o->given["init-from"] = init;
  cmd->callback([&state, o] { state.exit_code = run_train(*o); });
}

}  // namespace marketlm::cli
