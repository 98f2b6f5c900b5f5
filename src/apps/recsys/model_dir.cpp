// Training driver and the model directory format (see model_dir.h).
#include "marketlm/apps/recsys/model_dir.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "marketlm/apps/recsys/split.h"
#include "marketlm/core/file_io.h"

namespace marketlm::recsys {

namespace fs = std::filesystem;

Result<RecModel> train_model(const SequenceData& data, const RecConfig& config, bool use_all,
                             const std::string& data_source, const Context& ctx) {
  ML_RETURN_IF_ERROR(config.validate());
  if (data.n_items() == 0) return invalid_argument(data_source + ": the data has no items to recommend");
  RecModel m;
  m.config = config;
  m.users = data.users;
  m.items = data.items;
  m.histories = data.seqs;
  m.trained_on = use_all ? "all" : "train-split";
  m.data_source = data_source;
  ML_ASSIGN_OR_RETURN(m.model, make_recommender(config.model_type));
  if (use_all) {
    ML_RETURN_IF_ERROR(m.model->fit({data.seqs, data.n_items()}, config, ctx));
  } else {
    const LeaveOneOutSplit split = leave_one_out(data);
    ML_RETURN_IF_ERROR(m.model->fit({split.train, split.n_items}, config, ctx));
  }
  return m;
}

namespace {
std::string join_lines(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += n;
    out += '\n';
  }
  return out;
}

Result<IdMap> read_id_lines(const std::string& path, int32_t expected) {
  ML_ASSIGN_OR_RETURN(std::string text, read_file(path));
  IdMap map;
  size_t pos = 0;
  int64_t line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string id = text.substr(pos, end - pos);
    pos = end + 1;
    if (map.find(id) >= 0) return data_error(path + ":" + std::to_string(line) + ": duplicate id '" + id + "'");
    map.add(id);
  }
  if (map.size() != expected) {
    return data_error(path + ": has " + std::to_string(map.size()) + " ids, config.json says " +
                      std::to_string(expected));
  }
  return map;
}
}  // namespace

Status save_model_dir(const RecModel& m, const std::string& dir) {
  if (!m.model) return invalid_argument("save_model_dir: no model to save");
  fs::path target = fs::absolute(fs::path(dir).lexically_normal());
  if (target.filename().empty()) target = target.parent_path();  // "runs/m/" -> "runs/m"
  if (target.filename().empty()) return invalid_argument("bad model directory '" + dir + "'");
  const std::string tmp = target.string() + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  ML_RETURN_IF_ERROR(make_dirs(tmp));

  nlohmann::json meta = {{"format", "marketlm-recsys"},
                         {"format_version", 1},
                         {"model_type", std::string(m.model->type())},
                         {"n_users", m.users.size()},
                         {"n_items", m.items.size()},
                         {"trained_on", m.trained_on},
                         {"data", m.data_source},
                         {"config", nlohmann::json::parse(m.config.to_json())}};
  TensorFile tf;
  m.model->save(&tf);
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> items;
  for (const auto& h : m.histories) {
    items.insert(items.end(), h.begin(), h.end());
    offsets.push_back(static_cast<int64_t>(items.size()));
  }
  tf.put_i64("data.history_offsets", {static_cast<int64_t>(offsets.size())}, offsets);
  tf.put_i32("data.history_items", {static_cast<int64_t>(items.size())}, items);
  Status s = write_file_atomic(tmp + "/config.json", meta.dump(2) + "\n");
  if (s.is_ok()) s = write_file_atomic(tmp + "/items.txt", join_lines(m.items.names()));
  if (s.is_ok()) s = write_file_atomic(tmp + "/users.txt", join_lines(m.users.names()));
  if (s.is_ok()) s = tf.write(tmp + "/model.safetensors");
  if (!s.is_ok()) {
    fs::remove_all(tmp, ec);
    return s;
  }
  // Swap the finished directory in; the old one (if any) is removed after.
  const std::string old = target.string() + ".old-" + std::to_string(::getpid());
  const bool had_old = fs::exists(target, ec);
  if (had_old) {
    fs::rename(target, old, ec);
    if (ec) return io_error("cannot move the old model '" + target.string() + "' aside: " + ec.message());
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    if (had_old) fs::rename(old, target, ec);
    return io_error("cannot rename '" + tmp + "' to '" + target.string() + "'");
  }
  if (had_old) fs::remove_all(old, ec);
  return Status::ok();
}

Result<RecModel> load_model_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return not_found("model directory '" + dir + "' does not exist");
  const std::string cfg_path = dir + "/config.json";
  ML_ASSIGN_OR_RETURN(std::string text, read_file(cfg_path));
  RecModel m;
  std::string type;
  int32_t n_users = 0, n_items = 0;
  try {
    auto meta = nlohmann::json::parse(text);
    if (meta.value("format", "") != "marketlm-recsys") {
      return data_error(cfg_path + ": \"format\" is not \"marketlm-recsys\"; not a recommender model directory");
    }
    if (meta.value("format_version", 0) != 1) {
      return data_error(cfg_path + ": format_version " + meta.value("format_version", nlohmann::json(0)).dump() +
                        " is not supported (expected 1)");
    }
    type = meta.at("model_type").get<std::string>();
    n_users = meta.at("n_users").get<int32_t>();
    n_items = meta.at("n_items").get<int32_t>();
    m.trained_on = meta.value("trained_on", "train-split");
    m.data_source = meta.value("data", "");
    ML_ASSIGN_OR_RETURN(m.config, RecConfig::from_json(meta.at("config").dump(), cfg_path));
  } catch (const std::exception& e) {
    return data_error(cfg_path + ": " + e.what());
  }
  if (n_users < 0 || n_items <= 0) return data_error(cfg_path + ": n_users/n_items out of range");
  if (m.config.model_type != type) {
    return data_error(cfg_path + ": model_type '" + type + "' differs from config.model_type '" +
                      m.config.model_type + "'");
  }
  ML_ASSIGN_OR_RETURN(m.items, read_id_lines(dir + "/items.txt", n_items));
  ML_ASSIGN_OR_RETURN(m.users, read_id_lines(dir + "/users.txt", n_users));
  ML_ASSIGN_OR_RETURN(TensorFile tf, TensorFile::read(dir + "/model.safetensors"));
  ML_ASSIGN_OR_RETURN(auto offsets, tf.get_i64("data.history_offsets", int64_t{n_users} + 1));
  ML_ASSIGN_OR_RETURN(auto items, tf.get_i32("data.history_items", offsets.back()));
  if (offsets.front() != 0) return data_error(dir + "/model.safetensors: data.history_offsets must start at 0");
  m.histories.resize(static_cast<size_t>(n_users));
  for (size_t u = 0; u < static_cast<size_t>(n_users); ++u) {
    if (offsets[u + 1] < offsets[u]) return data_error(dir + "/model.safetensors: data.history_offsets decreases");
    m.histories[u].assign(items.begin() + offsets[u], items.begin() + offsets[u + 1]);
  }
  for (int32_t i : items) {
    if (i < 0 || i >= n_items) {
      return data_error(dir + "/model.safetensors: history item " + std::to_string(i) + " outside [0, " +
                        std::to_string(n_items) + ")");
    }
  }
  ML_ASSIGN_OR_RETURN(m.model, make_recommender(type));
  Status s = m.model->load(tf, m.config, n_items, n_users);
  if (!s.is_ok()) return s.with_context(dir + "/model.safetensors");
  return m;
}

std::vector<Recommendation> recommend_top_k(const SequentialRecommender& model, const UserQuery& query,
                                            const RecommendOptions& opt) {
  const int32_t n = model.n_items();
  std::vector<float> scores(static_cast<size_t>(n));
  model.score(query, scores);
  std::vector<char> excluded(static_cast<size_t>(n), 0);
  if (!opt.include_seen) {
    for (int32_t i : query.history) {
      if (i >= 0 && i < n) excluded[static_cast<size_t>(i)] = 1;
    }
  }
  std::vector<int32_t> cand;
  cand.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    if (!excluded[static_cast<size_t>(i)]) cand.push_back(i);
  }
  const size_t k = std::min(cand.size(), static_cast<size_t>(std::max(opt.k, 0)));
  auto better = [&](int32_t a, int32_t b) {
    const float sa = scores[static_cast<size_t>(a)], sb = scores[static_cast<size_t>(b)];
    return sa != sb ? sa > sb : a < b;
  };
  std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(k), cand.end(), better);
  std::vector<Recommendation> out;
  for (size_t r = 0; r < k; ++r) {
    Recommendation rec{cand[r], scores[static_cast<size_t>(cand[r])], {}};
    if (opt.explain) rec.because = model.explain(query, cand[r]);
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace marketlm::recsys
