#include "marketlm/train/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "marketlm/core/file_io.h"

namespace marketlm {

namespace fs = std::filesystem;

namespace {

nlohmann::json state_to_json(const TrainingState& s) {
  nlohmann::json rng = nlohmann::json::array();
  for (uint64_t w : s.dropout_rng) rng.push_back(std::to_string(w));  // strings: exact in any JSON reader
  return {{"format", "marketlm-training-state"},
          {"version", 1},
          {"step", s.step},
          {"adam_step", s.adam_step},
          {"dropout_rng", rng},
          {"data_epoch", s.data_epoch},
          {"data_index", s.data_index},
          {"order_seed", std::to_string(s.order_seed)},
          {"split_seed", std::to_string(s.split_seed)},
          {"num_train_windows", s.num_train_windows},
          {"num_val_windows", s.num_val_windows},
          {"tokens_seen", s.tokens_seen},
          {"best_val_loss", s.best_val_loss},
          {"last_val_loss", s.last_val_loss},
          {"schedule", s.schedule},
          {"num_params", s.m.size()}};
}

Status from_json(const nlohmann::json& j, TrainingState* s) {
  try {
    if (j.at("format") != "marketlm-training-state" || j.at("version") != 1) {
      return data_error("not a version-1 marketlm training state");
    }
    s->step = j.at("step").get<int64_t>();
    s->adam_step = j.at("adam_step").get<int64_t>();
    for (size_t i = 0; i < 4; ++i) s->dropout_rng[i] = std::stoull(j.at("dropout_rng").at(i).get<std::string>());
    s->data_epoch = j.at("data_epoch").get<uint64_t>();
    s->data_index = j.at("data_index").get<uint64_t>();
    s->order_seed = std::stoull(j.at("order_seed").get<std::string>());
    s->split_seed = std::stoull(j.at("split_seed").get<std::string>());
    s->num_train_windows = j.at("num_train_windows").get<uint64_t>();
    s->num_val_windows = j.at("num_val_windows").get<uint64_t>();
    s->tokens_seen = j.at("tokens_seen").get<int64_t>();
    s->best_val_loss = j.at("best_val_loss").get<double>();
    s->last_val_loss = j.at("last_val_loss").get<double>();
    s->schedule = j.at("schedule");
  } catch (const std::exception& e) {
    return data_error(std::string("bad training state field: ") + e.what());
  }
  return Status::ok();
}

}  // namespace

Status write_training_state(const std::string& path, const TrainingState& s) {
  if (s.m.size() != s.v.size()) return internal_error("AdamW moments m and v differ in size");
  const uint64_t bytes = s.m.size() * sizeof(float);
  nlohmann::json header = {
      {"__metadata__", {{"state", state_to_json(s).dump()}}},
      {"adamw.m", {{"dtype", "F32"}, {"shape", {s.m.size()}}, {"data_offsets", {0, bytes}}}},
      {"adamw.v", {{"dtype", "F32"}, {"shape", {s.v.size()}}, {"data_offsets", {bytes, 2 * bytes}}}}};
  std::string h = header.dump();
  while (h.size() % 8) h.push_back(' ');  // keeps the tensor data 8-byte aligned
  const uint64_t hlen = h.size();
  AtomicFileWriter w;
  ML_RETURN_IF_ERROR(w.open(path));
  ML_RETURN_IF_ERROR(w.write(&hlen, 8));
  ML_RETURN_IF_ERROR(w.write(h));
  ML_RETURN_IF_ERROR(w.write(s.m.data(), bytes));
  ML_RETURN_IF_ERROR(w.write(s.v.data(), bytes));
  return w.commit();
}

Result<TrainingState> read_training_state(const std::string& path) {
  ML_ASSIGN_OR_RETURN(std::string data, read_file(path));
  auto bad = [&](const std::string& why) {
    return data_error("training state '" + path + "' is unreadable: " + why +
                      "; resume from an older checkpoint or start a new run");
  };
  if (data.size() < 8) return bad("shorter than its 8-byte header length");
  uint64_t hlen;
  std::memcpy(&hlen, data.data(), 8);
  if (hlen > data.size() - 8) return bad("header length " + std::to_string(hlen) + " runs past the file end");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(data.substr(8, hlen));
  } catch (const std::exception& e) {
    return bad(std::string("header is not JSON: ") + e.what());
  }
  TrainingState s;
  try {
    nlohmann::json st = nlohmann::json::parse(header.at("__metadata__").at("state").get<std::string>());
    Status status = from_json(st, &s);
    if (!status.is_ok()) return bad(status.message());
    const uint64_t n = st.at("num_params").get<uint64_t>();
    if (n > data.size() / 8) return bad("num_params " + std::to_string(n) + " does not fit in the file (truncated?)");
    const size_t base = 8 + hlen;
    for (const char* name : {"adamw.m", "adamw.v"}) {
      const auto& t = header.at(name);
      const uint64_t b = t.at("data_offsets").at(0), e = t.at("data_offsets").at(1);
      if (t.at("dtype") != "F32" || e < b || e - b != n * 4 || e > data.size() || base + e > data.size()) {
        return bad(std::string("tensor ") + name + " has the wrong type or size (file truncated?)");
      }
      std::vector<float>& dst = std::strcmp(name, "adamw.m") == 0 ? s.m : s.v;
      dst.resize(n);
      std::memcpy(dst.data(), data.data() + base + b, n * 4);
    }
  } catch (const std::exception& e) {
    return bad(std::string("missing or bad field: ") + e.what());
  }
  return s;
}

std::string checkpoint_name(int64_t step) {
  char b[32];
  std::snprintf(b, sizeof b, "step-%08lld", static_cast<long long>(step));
  return b;
}

Result<std::string> latest_checkpoint(const std::string& out_dir) {
  const std::string ptr = out_dir + "/checkpoints/latest";
  std::error_code ec;
  if (!fs::exists(ptr, ec)) return not_found("no checkpoint in '" + out_dir + "' (no checkpoints/latest file)");
  ML_ASSIGN_OR_RETURN(std::string name, read_file(ptr));
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r' || name.back() == ' ')) name.pop_back();
  if (name.empty() || name.find('/') != std::string::npos) {
    return data_error("'" + ptr + "' does not name a checkpoint directory");
  }
  const std::string dir = out_dir + "/checkpoints/" + name;
  if (!fs::is_directory(dir, ec)) return not_found("'" + ptr + "' names '" + dir + "', which does not exist");
  return dir;
}

Result<std::string> save_checkpoint(const std::string& out_dir, const TrainingState& state,
                                    const ModelCheckpointIO& model_io, int keep) {
  const std::string root = out_dir + "/checkpoints";
  ML_RETURN_IF_ERROR(make_dirs(root));
  std::error_code ec;
  // Leftovers of an interrupted save are never referenced by "latest": remove them.
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.path().filename().string().rfind(".tmp-", 0) == 0) fs::remove_all(entry.path(), ec);
  }
  const std::string name = checkpoint_name(state.step);
  const std::string tmp = root + "/.tmp-" + name + "-" + std::to_string(::getpid());
  const std::string final_dir = root + "/" + name;
  ML_RETURN_IF_ERROR(make_dirs(tmp));
  auto fail = [&](const Status& s) {
    fs::remove_all(tmp, ec);
    return s.with_context("saving checkpoint " + name + " (the previous checkpoint is untouched)");
  };
  if (!model_io.save) return fail(internal_error("no model save callback"));
  Status s = model_io.save(tmp);
  if (!s.is_ok()) return fail(s);
  s = write_training_state(tmp + "/" + kTrainingStateFile, state);
  if (!s.is_ok()) return fail(s);
  std::string old;
  if (fs::exists(final_dir, ec)) {  // re-saving the same step: move the old copy aside first
    old = root + "/.tmp-old-" + name + "-" + std::to_string(::getpid());
    fs::rename(final_dir, old, ec);
    if (ec) return fail(io_error("cannot move '" + final_dir + "' aside: " + ec.message()));
  }
  fs::rename(tmp, final_dir, ec);
  if (ec) return fail(io_error("cannot rename '" + tmp + "' to '" + final_dir + "': " + ec.message()));
  ML_RETURN_IF_ERROR(write_file_atomic(root + "/latest", name + "\n"));
  if (!old.empty()) fs::remove_all(old, ec);
  // Keep the `keep` newest step-* directories.
  std::vector<std::string> steps;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string n = entry.path().filename().string();
    if (entry.is_directory() && n.rfind("step-", 0) == 0) steps.push_back(n);
  }
  std::sort(steps.begin(), steps.end());
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < steps.size(); ++i) {
    if (steps[i] != name) fs::remove_all(root + "/" + steps[i], ec);
  }
  return final_dir;
}

}  // namespace marketlm
