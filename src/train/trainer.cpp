#include "marketlm/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "marketlm/core/check.h"
#include "marketlm/core/file_io.h"

namespace marketlm {

uint64_t split_seed_for(uint64_t seed) { return seed; }
uint64_t order_seed_for(uint64_t seed) { return seed ^ 0x0de5eed0de5eedull; }
uint64_t dropout_seed_for(uint64_t seed) { return seed ^ 0xd50fd50fd50full; }

namespace {

kernels::Isa path_for(const std::string& isa) {
  if (isa.empty()) return kernels::best_isa();
  auto p = kernels::resolve_isa(isa);
  return p.is_ok() ? *p : kernels::best_isa();
}

AdamWConfig adamw_config(const TrainConfig& c) {
  AdamWConfig a;
  a.beta1 = c.beta1;
  a.beta2 = c.beta2;
  a.eps = c.eps;
  a.weight_decay = c.weight_decay;
  a.no_decay_weight_decay = c.no_decay_weight_decay;
  return a;
}

LrSchedule schedule_for(const TrainConfig& c) {
  LrSchedule s;
  s.lr = c.lr;
  s.min_lr = c.min_lr;
  s.warmup_steps = c.warmup_steps;
  s.total_steps = c.max_steps;
  return s;
}

std::string fmt(const char* f, double x) {
  char b[48];
  std::snprintf(b, sizeof b, f, x);
  return b;
}

}  // namespace

Trainer::Trainer(TrainableModel* model, const TrainConfig& config, const PackedSequences* data, DataSplit split,
                 ModelCheckpointIO model_io, const Context& ctx)
    : model_(model),
      config_(config),
      data_(data),
      split_(std::move(split)),
      model_io_(std::move(model_io)),
      ctx_(ctx),
      schedule_(schedule_for(config)),
      adamw_(model->param_specs(), model->num_params(), adamw_config(config), path_for(config.isa)),
      sampler_(data, split_.train, order_seed_for(config.seed)),
      dropout_rng_(dropout_seed_for(config.seed)) {
  ML_CHECK(data->T == config.seq_len);
  const size_t n = static_cast<size_t>(config.grad_accum) * config.batch_size * config.seq_len;
  inputs_.resize(n);
  targets_.resize(n);
}

Trainer::~Trainer() {
  if (log_) std::fclose(log_);
}

TrainingState Trainer::snapshot() const {
  TrainingState s;
  s.step = step_;
  s.adam_step = adamw_.step_count();
  s.dropout_rng = dropout_rng_.state();
  s.data_epoch = sampler_.epoch();
  s.data_index = sampler_.index();
  s.order_seed = sampler_.order_seed();
  s.split_seed = split_seed_for(config_.seed);
  s.num_train_windows = split_.train.size();
  s.num_val_windows = split_.val.size();
  s.tokens_seen = tokens_seen_;
  s.best_val_loss = best_val_;
  s.last_val_loss = last_val_;
  s.schedule = {{"lr", schedule_.lr}, {"min_lr", schedule_.min_lr}, {"warmup_steps", schedule_.warmup_steps},
                {"total_steps", schedule_.total_steps}};
  s.m.assign(adamw_.m().begin(), adamw_.m().end());
  s.v.assign(adamw_.v().begin(), adamw_.v().end());
  return s;
}

Result<std::string> Trainer::save() {
  ML_ASSIGN_OR_RETURN(std::string dir, save_checkpoint(config_.out_dir, snapshot(), model_io_, config_.keep_checkpoints));
  last_checkpoint_ = dir;
  ctx_.logger.info("saved checkpoint " + dir);
  return dir;
}

Status Trainer::resume() {
  ML_ASSIGN_OR_RETURN(std::string dir, latest_checkpoint(config_.out_dir));
  ML_ASSIGN_OR_RETURN(TrainingState s, read_training_state(dir + "/" + kTrainingStateFile));
  const std::string where = "cannot resume from '" + dir + "': ";
  if (s.m.size() != model_->num_params()) {
    return failed_precondition(where + "its optimiser state has " + std::to_string(s.m.size()) +
                               " parameters, the model has " + std::to_string(model_->num_params()) +
                               "; use the same model config as the run that wrote it");
  }
  if (s.num_train_windows != split_.train.size() || s.num_val_windows != split_.val.size() ||
      s.order_seed != order_seed_for(config_.seed)) {
    return failed_precondition(where + "it was trained on other data or another seed/seq_len/val_fraction (" +
                               std::to_string(s.num_train_windows) + " train / " + std::to_string(s.num_val_windows) +
                               " validation sequences, now " + std::to_string(split_.train.size()) + " / " +
                               std::to_string(split_.val.size()) + "); use the same data and settings");
  }
  if (!model_io_.load) return internal_error("no model load callback");
  Status ls = model_io_.load(dir);
  if (!ls.is_ok()) return ls.with_context(where + "loading the model weights");
  step_ = s.step;
  adamw_.set_step_count(s.adam_step);
  std::memcpy(adamw_.m().data(), s.m.data(), s.m.size() * sizeof(float));
  std::memcpy(adamw_.v().data(), s.v.data(), s.v.size() * sizeof(float));
  dropout_rng_.set_state(s.dropout_rng);
  sampler_.set_position(s.data_epoch, s.data_index);
  tokens_seen_ = s.tokens_seen;
  best_val_ = s.best_val_loss;
  last_val_ = s.last_val_loss;
  last_checkpoint_ = dir;
  ML_RETURN_IF_ERROR(open_log(true));
  ctx_.logger.info("resumed from " + dir + " at step " + std::to_string(step_));
  return Status::ok();
}

Status Trainer::open_log(bool keep_up_to_step) {
  if (log_) {
    std::fclose(log_);
    log_ = nullptr;
  }
  ML_RETURN_IF_ERROR(make_dirs(config_.out_dir));
  const std::string path = log_path();
  std::string kept;
  std::error_code ec;
  if (keep_up_to_step && std::filesystem::exists(path, ec)) {
    // Drop lines past the checkpoint so the log shows one continuous curve.
    ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      try {
        auto j = nlohmann::json::parse(line);
        if (j.at("step").get<int64_t>() <= step_) kept += line + "\n";
      } catch (const std::exception&) {
        // a line cut by a crash: dropped
      }
    }
  }
  ML_RETURN_IF_ERROR(write_file_atomic(path, kept));
  log_ = std::fopen(path.c_str(), "ab");
  if (!log_) return io_error("cannot open training log '" + path + "' for appending");
  return Status::ok();
}

Status Trainer::append_log(const StepRecord& r) {
  if (!log_) return Status::ok();
  nlohmann::json j = {{"step", r.step},           {"loss", r.loss},       {"lr", r.lr},
                      {"grad_norm", r.grad_norm}, {"tokens_per_s", r.tokens_per_s}, {"tokens", r.tokens_seen}};
  if (r.has_val) {
    j["val_loss"] = r.val_loss;
    j["val_perplexity"] = std::exp(r.val_loss);
  }
  const std::string line = j.dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), log_) != line.size() || std::fflush(log_) != 0) {
    return io_error("cannot append to training log '" + log_path() + "'");
  }
  return Status::ok();
}

double Trainer::evaluate() {
  if (split_.val.empty()) return std::nan("");
  const int B = config_.batch_size, T = config_.seq_len;
  double sum = 0;
  int64_t count = 0, batches = 0;
  for (size_t i = 0; i < split_.val.size(); i += static_cast<size_t>(B)) {
    if (config_.eval_batches > 0 && batches >= config_.eval_batches) break;
    const int b = static_cast<int>(std::min<size_t>(static_cast<size_t>(B), split_.val.size() - i));
    for (int k = 0; k < b; ++k) {
      data_->fill(split_.val[i + static_cast<size_t>(k)], inputs_.data() + static_cast<size_t>(k) * T,
                  targets_.data() + static_cast<size_t>(k) * T);
    }
    TokenBatch batch{inputs_.data(), targets_.data(), b, T};
    LossSum ls = model_->forward_loss(batch);
    sum += ls.sum;
    count += ls.count;
    ++batches;
  }
  return count > 0 ? sum / static_cast<double>(count) : std::nan("");
}

Result<StepRecord> Trainer::train_step() {
  const int B = config_.batch_size, T = config_.seq_len, A = config_.grad_accum;
  const size_t micro = static_cast<size_t>(B) * T;
  std::memset(model_->grads(), 0, model_->num_params() * sizeof(float));
  int64_t counted = 0;
  for (int a = 0; a < A; ++a) {
    counted += sampler_.next_batch(B, inputs_.data() + a * micro, targets_.data() + a * micro);
  }
  const float grad_scale = counted > 0 ? static_cast<float>(1.0 / static_cast<double>(counted)) : 0.0f;
  double sum = 0;
  for (int a = 0; a < A; ++a) {
    TokenBatch batch{inputs_.data() + a * micro, targets_.data() + a * micro, B, T};
    sum += model_->forward_backward(batch, grad_scale, &dropout_rng_).sum;
  }
  StepRecord r;
  r.step = step_ + 1;
  r.loss = counted > 0 ? sum / static_cast<double>(counted) : 0.0;
  r.lr = schedule_.at(step_);
  r.grad_norm = global_grad_norm(model_->grads(), model_->num_params(), ctx_.pool);
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) {
    const std::string what = !std::isfinite(r.loss) ? "the training loss is " + fmt("%g", r.loss)
                                                     : "the gradient norm is " + fmt("%g", r.grad_norm);
    const std::string kept = last_checkpoint_.empty()
                                 ? "no checkpoint was saved before it"
                                 : "the last good checkpoint is '" + last_checkpoint_ + "' (continue with --resume)";
    return failed_precondition(what + " at step " + std::to_string(r.step) + " (lr " + fmt("%.3g", r.lr) +
                               "); training stopped without updating the weights; " + kept +
                               "; try a lower --lr, a smaller --grad-clip or check the data");
  }
  clip_grad_norm(model_->grads(), model_->num_params(), r.grad_norm, config_.grad_clip, ctx_.pool);
  adamw_.step(model_->params(), model_->grads(), r.lr, ctx_.pool);
  ++step_;
  tokens_seen_ += static_cast<int64_t>(A) * B * T;
  r.tokens_seen = tokens_seen_;
  return r;
}

void Trainer::report_progress(const StepRecord& r) {
  if (!ctx_.progress) return;
  // The time left is the progress sink's business: it sees done/total over time.
  std::string detail = "step " + std::to_string(r.step) + " | loss " + fmt("%.4f", r.loss) + " | lr " +
                       fmt("%.2e", r.lr) + " | " + fmt("%.0f", r.tokens_per_s) + " tok/s";
  if (last_val_ >= 0) detail += " | val " + fmt("%.4f", last_val_);
  ProgressEvent e;
  e.stage = "train";
  e.done = r.step;
  e.total = config_.max_steps;
  e.detail = detail;
  e.finished = r.step >= config_.max_steps;
  ctx_.report(e);
}

Status Trainer::run(int64_t stop_at) {
  if (!log_) ML_RETURN_IF_ERROR(open_log(step_ > 0));
  const int64_t end = (stop_at > 0 && stop_at < config_.max_steps) ? stop_at : config_.max_steps;
  while (step_ < end) {
    const auto t0 = std::chrono::steady_clock::now();
    ML_ASSIGN_OR_RETURN(StepRecord r, train_step());
    const auto t1 = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(t1 - t0).count();
    r.tokens_per_s = dt > 0 ? static_cast<double>(config_.grad_accum) * config_.batch_size * config_.seq_len / dt : 0;
    const bool at_end = step_ == config_.max_steps;
    if ((config_.eval_every > 0 && step_ % config_.eval_every == 0) || at_end) {
      const double val = evaluate();
      if (std::isfinite(val)) {
        r.has_val = true;
        r.val_loss = val;
        last_val_ = val;
        if (best_val_ < 0 || val < best_val_) best_val_ = val;
      }
    }
    history_.push_back(r);
    ML_RETURN_IF_ERROR(append_log(r));
    report_progress(r);
    const bool stopping = stop_ && stop_->load();
    if ((config_.save_every > 0 && step_ % config_.save_every == 0) || step_ == end || stopping) {
      ML_RETURN_IF_ERROR(save().status());
    }
    if (stopping && step_ < end) {
      return Status(StatusCode::kCancelled, "interrupted after step " + std::to_string(step_) + "; checkpoint '" +
                                                last_checkpoint_ + "' saved; continue with --resume");
    }
  }
  return Status::ok();
}

}  // namespace marketlm
