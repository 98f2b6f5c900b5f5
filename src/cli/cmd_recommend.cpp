// `marketlm recommend`: sequential recommendation.
//   marketlm recommend train --data seqs.txt --model-type markov --out DIR
//   marketlm recommend eval  --model DIR [--data seqs.txt] --protocol both
//   marketlm recommend --model DIR --user U [-k 10] [--explain]
//   marketlm recommend --model DIR --history "i1 i2 i3"
// The bare form (no subcommand) recommends; `train` and `eval` are
// subcommands with their own options.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/output.h"
#include "marketlm/apps/recsys/cold_start.h"
#include "marketlm/core/file_io.h"
#include "marketlm/apps/recsys/lm_embedder.h"
#include "marketlm/apps/recsys/evaluate.h"
#include "marketlm/apps/recsys/model_dir.h"

namespace marketlm::cli {

namespace rs = marketlm::recsys;

namespace {

struct TrainOpts {
  std::string data, data_format = "auto", out;
  bool all_data = false, json = false;
  int threads = 0;
  rs::RecConfig cfg;
  CLI::Option *epochs_opt = nullptr, *lr_opt = nullptr;
};

struct EvalOpts {
  std::string model, data, data_format = "auto", protocol = "both", split = "test";
  int k = 10, negatives = 100, threads = 0, score_batch = 32;
  int64_t max_users = 10000, full_max_users = 0;
  uint64_t seed = 42;
  bool json = false;
};

struct RecOpts {
  std::string model, user, history;
  int k = 10, threads = 0;
  bool include_seen = false, explain = false, json = false;
};

int thread_count(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

int run_train(TrainOpts o) {
  Logger logger = Logger::to_stderr();
  // --epochs / --learning-rate name the chosen model's settings.
  if (o.cfg.model_type == "sasrec") {
    if (o.epochs_opt != nullptr && o.epochs_opt->count() > 0) o.cfg.sasrec_epochs = o.cfg.bpr_epochs;
    if (o.lr_opt != nullptr && o.lr_opt->count() > 0) o.cfg.sasrec_lr = o.cfg.bpr_lr;
  }
  if (const char* isa = std::getenv("MARKETLM_ISA"); isa != nullptr) o.cfg.isa = isa;
  auto fmt_or = rs::parse_data_format(o.data_format);
  if (!fmt_or.is_ok()) return report_error("recommend train", fmt_or.status());
  auto data = rs::load_sequences(o.data, *fmt_or, logger);
  if (!data.is_ok()) return report_error("recommend train", data.status());
  ThreadPool pool(thread_count(o.threads));
  ProgressBar bar(!o.json);
  Context ctx{&pool, logger, bar.sink()};
  const auto t0 = std::chrono::steady_clock::now();
  auto model = rs::train_model(*data, o.cfg, o.all_data, o.data, ctx);
  if (!model.is_ok()) return report_error("recommend train", model.status());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Status s = rs::save_model_dir(*model, o.out);
  if (!s.is_ok()) return report_error("recommend train", s);
  if (o.json) {
    print_json({{"model", o.out},
                {"model_type", o.cfg.model_type},
                {"trained_on", model->trained_on},
                {"users", data->n_users()},
                {"items", data->n_items()},
                {"actions", data->n_actions()},
                {"train_seconds", secs}});
  } else {
    std::printf("trained %s on %s (%d users, %d items, %lld actions; %s) in %.1fs -> %s\n",
                o.cfg.model_type.c_str(), o.data.c_str(), data->n_users(), data->n_items(),
                static_cast<long long>(data->n_actions()),
                o.all_data ? "all actions" : "leave-one-out training part", secs, o.out.c_str());
  }
  return kExitOk;
}

// Re-expresses `data` in the model's item and user index space. Items the
// model does not know are dropped from the sequences (counted in *dropped).
rs::SequenceData to_model_space(const rs::SequenceData& data, const rs::RecModel& m,
                                std::vector<int32_t>* user_map, int64_t* dropped) {
  rs::SequenceData out;
  out.items = m.items;
  out.users = data.users;
  *dropped = 0;
  user_map->clear();
  for (int32_t u = 0; u < data.n_users(); ++u) {
    std::vector<int32_t> seq;
    for (int32_t i : data.seqs[static_cast<size_t>(u)]) {
      const int32_t mi = m.items.find(data.items.name(i));
      if (mi >= 0) seq.push_back(mi);
      else ++*dropped;
    }
    out.seqs.push_back(std::move(seq));
    user_map->push_back(m.users.find(data.users.name(u)));
  }
  return out;
}

int run_eval(const EvalOpts& o) {
  const char* cmd = "recommend eval";
  Logger logger = Logger::to_stderr();
  if (o.protocol != "sampled" && o.protocol != "full" && o.protocol != "both") {
    return report_error(cmd, invalid_argument("--protocol '" + o.protocol + "', expected sampled, full or both"));
  }
  if (o.split != "test" && o.split != "valid") {
    return report_error(cmd, invalid_argument("--split '" + o.split + "', expected test or valid"));
  }
  auto model = rs::load_model_dir(o.model);
  if (!model.is_ok()) return report_error(cmd, model.status());
  const std::string data_path = o.data.empty() ? model->data_source : o.data;
  if (data_path.empty()) return report_error(cmd, invalid_argument("the model does not name its data; pass --data"));
  auto fmt_or = rs::parse_data_format(o.data_format);
  if (!fmt_or.is_ok()) return report_error(cmd, fmt_or.status());
  auto data = rs::load_sequences(data_path, *fmt_or, logger);
  if (!data.is_ok()) return report_error(cmd, data.status());
  if (model->trained_on == "all" && data_path == model->data_source) {
    logger.warn("this model was trained on every action of " + data_path +
                ", including the held-out items: these figures are optimistic (train without --all-data "
                "to evaluate)");
  }
  std::vector<int32_t> user_map;
  int64_t dropped = 0;
  const rs::SequenceData mapped = to_model_space(*data, *model, &user_map, &dropped);
  if (dropped > 0) {
    logger.warn(std::to_string(dropped) + " actions in " + data_path +
                " name items the model does not know; they were dropped before the split");
  }
  const rs::LeaveOneOutSplit split = rs::leave_one_out(mapped);
  ThreadPool pool(thread_count(o.threads));
  ProgressBar bar(!o.json);
  Context ctx{&pool, logger, bar.sink()};
  nlohmann::json results = nlohmann::json::array();
  std::vector<rs::Protocol> protocols;
  if (o.protocol != "full") protocols.push_back(rs::Protocol::kSampled);
  if (o.protocol != "sampled") protocols.push_back(rs::Protocol::kFull);
  for (rs::Protocol p : protocols) {
    rs::EvalOptions eo;
    eo.protocol = p;
    eo.target = o.split == "test" ? rs::EvalTarget::kTest : rs::EvalTarget::kValid;
    eo.k = o.k;
    eo.n_negatives = o.negatives;
    eo.max_users = p == rs::Protocol::kSampled ? o.max_users : o.full_max_users;
    eo.seed = o.seed;
    eo.score_batch = o.score_batch;
    auto r = rs::evaluate(*model->model, split, eo, ctx, user_map);
    if (!r.is_ok()) return report_error(cmd, r.status());
    const std::string k = std::to_string(o.k);
    const double ups = r->seconds > 0 ? static_cast<double>(r->n_users) / r->seconds : 0.0;
    results.push_back({{"protocol", rs::protocol_name(p)},
                       {"description", r->protocol_description()},
                       {"target", o.split},
                       {"k", o.k},
                       {"hr@" + k, r->hr},
                       {"ndcg@" + k, r->ndcg},
                       {"users", r->n_users},
                       {"users_skipped", r->n_skipped},
                       {"candidates", r->n_candidates},
                       {"negatives", p == rs::Protocol::kSampled ? o.negatives : 0},
                       {"seed", o.seed},
                       {"seconds", r->seconds},
                       {"users_per_second", ups}});
    if (!o.json) {
      std::printf("%-7s HR@%d %s  NDCG@%d %s  [%s; %s users/s]\n", model->config.model_type.c_str(), o.k,
                  fmt("%.4f", r->hr).c_str(), o.k, fmt("%.4f", r->ndcg).c_str(), r->protocol_description().c_str(),
                  fmt("%.0f", ups).c_str());
    }
  }
  if (o.json) {
    print_json({{"model", o.model}, {"model_type", model->config.model_type}, {"data", data_path},
                {"results", results}});
  }
  return kExitOk;
}

int run_recommend(const RecOpts& o) {
  const char* cmd = "recommend";
  Logger logger = Logger::to_stderr();
  if (o.model.empty()) return report_error(cmd, invalid_argument("--model DIR is required (or use `recommend train`)"));
  if (o.user.empty() && o.history.empty()) {
    return report_error(cmd, invalid_argument("pass --user U (a known user) or --history \"i1 i2 ...\" (a new user)"));
  }
  if (o.k < 1) return report_error(cmd, invalid_argument("-k " + std::to_string(o.k) + ", expected >= 1"));
  auto model = rs::load_model_dir(o.model);
  if (!model.is_ok()) return report_error(cmd, model.status());
  int32_t user = -1;
  std::vector<int32_t> history;
  if (!o.user.empty()) {
    user = model->users.find(o.user);
    if (user < 0) {
      return report_error(cmd, not_found("user '" + o.user + "' is not in the model (" +
                                         std::to_string(model->users.size()) +
                                         " users); pass --history \"i1 i2 ...\" to recommend for a new user"));
    }
    history = model->histories[static_cast<size_t>(user)];
  }
  std::vector<std::string> unknown;
  if (!o.history.empty()) {
    std::vector<std::string> ids;
    for (auto f : rs::split_whitespace(o.history)) ids.emplace_back(f);
    auto mapped = rs::map_items(model->items, ids, &unknown);
    history.insert(history.end(), mapped.begin(), mapped.end());
    for (const auto& u : unknown) logger.warn("item '" + u + "' in --history is not known to the model; skipped");
  }
  rs::RecommendOptions ro;
  ro.k = o.k;
  ro.include_seen = o.include_seen;
  ro.explain = o.explain;
  if (o.explain && !model->model->can_explain()) {
    logger.warn("model type " + model->config.model_type + " cannot explain its recommendations");
  }
  const auto recs = rs::recommend_top_k(*model->model, {user, history}, ro);
  auto name = [&](int32_t i) { return model->items.name(i); };
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t r = 0; r < recs.size(); ++r) {
      nlohmann::json e = {{"rank", r + 1}, {"item", name(recs[r].item)}, {"score", recs[r].score}};
      if (o.explain) {
        nlohmann::json because = nlohmann::json::array();
        for (const auto& c : recs[r].because) {
          because.push_back({{"item", name(c.item)}, {"steps_ago", c.steps_ago}, {"contribution", c.value}});
        }
        e["because"] = because;
      }
      list.push_back(e);
    }
    nlohmann::json out = {{"model_type", model->config.model_type},
                          {"user", o.user.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.user)},
                          {"history_length", history.size()},
                          {"include_seen", o.include_seen},
                          {"skipped_unknown_items", unknown},
                          {"recommendations", list}};
    if (o.explain) out["explanation"] = std::string(model->model->explain_kind());
    print_json(out);
    return kExitOk;
  }
  std::printf("top %d for %s (history of %zu items, %s model%s)\n", o.k,
              o.user.empty() ? "a new user" : ("user " + o.user).c_str(), history.size(),
              model->config.model_type.c_str(), o.include_seen ? ", seen items allowed" : "");
  for (size_t r = 0; r < recs.size(); ++r) {
    std::printf("%3zu. %-16s %.6g\n", r + 1, name(recs[r].item).c_str(), static_cast<double>(recs[r].score));
    if (o.explain) {
      if (recs[r].because.empty()) std::printf("       because: (no past item contributes)\n");
      for (const auto& c : recs[r].because) {
        std::printf("       because %-16s %d step(s) ago  +%.4g\n", name(c.item).c_str(), c.steps_ago,
                    static_cast<double>(c.value));
      }
    }
  }
  if (o.explain && model->model->can_explain()) {
    std::printf("(contribution = %s)\n", std::string(model->model->explain_kind()).c_str());
  }
  return kExitOk;
}

struct ColdOpts {
  std::string ratings, items, genres, lm_model, write_texts, isa;
  bool with_genres = false, json = false, no_centre = false;
  rs::ColdStartOptions opt;
};

int run_cold_start(const ColdOpts& o) {
  const char* cmd = "recommend cold-start";
  auto data = rs::load_movielens_ratings(o.ratings);
  if (!data.is_ok()) return report_error(cmd, data.status());
  std::string genres = o.genres;
  if (genres.empty() && o.with_genres) {
    const auto slash = o.items.find_last_of('/');
    genres = (slash == std::string::npos ? std::string() : o.items.substr(0, slash + 1)) + "u.genre";
  }
  auto texts = rs::load_movielens_item_texts(o.items, genres, data->items, o.with_genres);
  if (!texts.is_ok()) return report_error(cmd, texts.status());
  if (!o.write_texts.empty()) {  // one item text per line, for training a language model on them
    std::string all;
    for (const auto& t : *texts) all += t + "\n";
    const Status st = write_file_atomic(o.write_texts, all);
    if (!st.is_ok()) return report_error(cmd, st);
  }
  std::unique_ptr<rs::TextEmbedder> embedder;
  std::string embedder_name = "tfidf";
  if (o.lm_model.empty()) {
    embedder = std::make_unique<rs::TfidfEmbedder>();
  } else {
    std::string isa_name = o.isa;
    if (const char* env = std::getenv("MARKETLM_ISA"); isa_name.empty() && env != nullptr) isa_name = env;
    auto isa = kernels::resolve_isa(isa_name);
    if (!isa.is_ok()) return report_error(cmd, isa.status());
    auto lm = rs::GptTextEmbedder::load(o.lm_model, kernels::KernelContext{nullptr, *isa});
    if (!lm.is_ok()) return report_error(cmd, lm.status());
    (*lm)->set_centre(!o.no_centre);
    embedder = std::move(*lm);
    embedder_name = o.no_centre ? "gpt-mean-pooled" : "gpt-mean-pooled-centred";
  }
  auto emb = rs::embed_items(*embedder, *texts);
  if (!emb.is_ok()) return report_error(cmd, emb.status());
  auto r = rs::evaluate_cold_start(*data, *emb, o.opt);
  if (!r.is_ok()) return report_error(cmd, r.status());
  const std::string text = o.with_genres ? "title+genres" : "title";
  const std::string k = std::to_string(o.opt.k);
  if (o.json) {
    print_json({{"description", r->description},
                {"text", text},
                {"embedder", embedder_name},
                {"dim", emb->dim},
                {"cold_items", r->n_cold_items},
                {"users", r->n_users},
                {"content", {{"hr@" + k, r->hr}, {"ndcg@" + k, r->ndcg}}},
                {"random", {{"hr@" + k, r->random_hr}, {"ndcg@" + k, r->random_ndcg}}},
                {"oracle_popularity", {{"hr@" + k, r->oracle_pop_hr}, {"ndcg@" + k, r->oracle_pop_ndcg}}}});
    return kExitOk;
  }
  std::printf("[%s]\n", r->description.c_str());
  std::printf("%s(%s, %d dims)  HR@%d %.4f  NDCG@%d %.4f\n", embedder_name.c_str(), text.c_str(), emb->dim, o.opt.k,
              r->hr, o.opt.k, r->ndcg);
  std::printf("random ranking          HR@%d %.4f  NDCG@%d %.4f\n", o.opt.k, r->random_hr, o.opt.k, r->random_ndcg);
  std::printf("oracle popularity (uses held-out counts) HR@%d %.4f  NDCG@%d %.4f\n", o.opt.k, r->oracle_pop_hr,
              o.opt.k, r->oracle_pop_ndcg);
  return kExitOk;
}

void add_model_flags(CLI::App* t, TrainOpts& o) {
  auto& c = o.cfg;
  t->add_option("--model-type", c.model_type, "pop | itemknn | bpr | markov | sasrec")
      ->check(CLI::IsMember({"pop", "itemknn", "bpr", "markov", "sasrec"}))
      ->capture_default_str();
  t->add_option("--seed", c.seed, "Random seed (BPR initialisation and sampling)")->capture_default_str();
  t->add_option("--history-len", c.history_len, "itemknn/markov: most recent items used")->capture_default_str();
  t->add_option("--recency-decay", c.recency_decay, "itemknn/markov: weight factor per step back")
      ->capture_default_str();
  t->add_option("--pop-weight", c.pop_weight, "itemknn/markov: weight of normalised popularity added to scores")
      ->capture_default_str();
  t->add_option("--neighbors", c.knn_neighbors, "itemknn: neighbours kept per item")->capture_default_str();
  t->add_option("--window", c.knn_window, "itemknn: co-occurrence window (0 = whole sequence)")
      ->capture_default_str();
  t->add_option("--factors", c.bpr_factors, "bpr: latent factors")->capture_default_str();
  o.epochs_opt = t->add_option("--epochs", c.bpr_epochs,
                               "bpr: passes over the training actions (default 40); sasrec: epochs (default 20)");
  o.lr_opt = t->add_option("--learning-rate", c.bpr_lr, "bpr: SGD step size (default 0.05); sasrec: Adam lr (0.001)");
  t->add_option("--weight-decay", c.bpr_reg, "bpr: L2 regularisation")->capture_default_str();
  t->add_option("--max-len", c.sasrec_maxlen, "sasrec: window of most recent items")->capture_default_str();
  t->add_option("--hidden-size", c.sasrec_dim, "sasrec: embedding / hidden size")->capture_default_str();
  t->add_option("--num-blocks", c.sasrec_blocks, "sasrec: self-attention blocks")->capture_default_str();
  t->add_option("--num-heads", c.sasrec_heads, "sasrec: attention heads")->capture_default_str();
  t->add_option("--dropout", c.sasrec_dropout, "sasrec: dropout rate (paper: 0.5 Beauty, 0.2 Games)")
      ->capture_default_str();
  t->add_option("--batch-size", c.sasrec_batch, "sasrec: users per batch")->capture_default_str();
  t->add_option("--loss", c.sasrec_loss, "sasrec: bce | sampled-softmax | softmax")
      ->check(CLI::IsMember({"bce", "sampled-softmax", "softmax"}))
      ->capture_default_str();
  t->add_option("--train-negatives", c.sasrec_negatives, "sasrec: negatives per position for sampled-softmax")
      ->capture_default_str();
  t->add_option("--checkpoint", c.checkpoint,
                "sasrec: file rewritten after every epoch and resumed from when it exists");
}

}  // namespace

void register_recommend(CLI::App& app, CliState& state) {
  auto* rec = app.add_subcommand("recommend",
                                 "Sequential recommendation: train a model, evaluate it, or recommend items");
  rec->require_subcommand(0, 1);
  auto ro = std::make_shared<RecOpts>();
  rec->add_option("--model", ro->model, "Model directory (from `recommend train`)");
  rec->add_option("--user", ro->user, "A user known to the model");
  rec->add_option("--history", ro->history, "Items of a new user, oldest first, space separated");
  rec->add_option("-k,--top-k", ro->k, "Number of items to return")->capture_default_str();
  rec->add_flag("--include-seen", ro->include_seen, "Allow items already in the history");
  rec->add_flag("--explain", ro->explain, "Name the past items behind each recommendation");
  rec->add_flag("--json", ro->json, "Machine-readable output");

  auto* train = rec->add_subcommand("train", "Fit a recommender on interaction data and save it");
  auto to = std::make_shared<TrainOpts>();
  train->add_option("--data", to->data, "'user item item ...' lines, 'user item' lines, or user,item,timestamp CSV")
      ->required();
  train->add_option("--data-format", to->data_format, "auto | seq | pairs | csv")->capture_default_str();
  train->add_option("--out", to->out, "Model directory to write")->required();
  train->add_flag("--all-data", to->all_data,
                  "Train on every action (deployment) instead of the leave-one-out training part");
  train->add_option("--threads", to->threads, "Worker threads (0 = all cores)")->capture_default_str();
  train->add_flag("--json", to->json, "Machine-readable output");
  add_model_flags(train, *to);
  train->callback([&state, to] { state.exit_code = run_train(*to); });

  auto* ev = rec->add_subcommand("eval", "Leave-one-out evaluation: HR@k and NDCG@k, sampled and/or full ranking");
  auto eo = std::make_shared<EvalOpts>();
  ev->add_option("--model", eo->model, "Model directory")->required();
  ev->add_option("--data", eo->data, "Interaction data (default: the data the model was trained on)");
  ev->add_option("--data-format", eo->data_format, "auto | seq | pairs | csv")->capture_default_str();
  ev->add_option("--protocol", eo->protocol, "sampled | full | both")->capture_default_str();
  ev->add_option("--split", eo->split, "test (last item) | valid (second to last)")->capture_default_str();
  ev->add_option("-k", eo->k, "Cut-off for HR@k and NDCG@k")->capture_default_str();
  ev->add_option("--num-negatives", eo->negatives, "sampled: negatives per user")->capture_default_str();
  ev->add_option("--max-users", eo->max_users, "sampled: users evaluated at most (0 = all)")->capture_default_str();
  ev->add_option("--full-max-users", eo->full_max_users, "full: users evaluated at most (0 = all)")
      ->capture_default_str();
  ev->add_option("--seed", eo->seed, "Seed for the user subset and the negatives")->capture_default_str();
  ev->add_option("--threads", eo->threads, "Worker threads (0 = all cores)")->capture_default_str();
  ev->add_option("--score-batch", eo->score_batch,
                 "Users scored per model call (1 = one by one; only speed changes)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  ev->add_flag("--json", eo->json, "Machine-readable output");
  ev->callback([&state, eo] { state.exit_code = run_eval(*eo); });

  auto* cs = rec->add_subcommand("cold-start",
                                  "Evaluate text-based recommendation of held-out (cold) items on MovieLens 100K");
  auto co = std::make_shared<ColdOpts>();
  cs->add_option("--ratings", co->ratings, "MovieLens u.data")->required();
  cs->add_option("--items", co->items, "MovieLens u.item (titles)")->required();
  cs->add_option("--genres", co->genres, "MovieLens u.genre (default: beside --items)");
  cs->add_flag("--with-genres", co->with_genres, "Add genre names to each title");
  cs->add_option("--cold-fraction", co->opt.cold_fraction, "Share of items held out as cold")->capture_default_str();
  cs->add_option("--seed", co->opt.seed, "Seed for the held-out items")->capture_default_str();
  cs->add_option("-k", co->opt.k, "Cut-off for HR@k and NDCG@k")->capture_default_str();
  cs->add_option("--lm-model", co->lm_model,
                 "marketlm GPT directory (with its tokenizer): embed texts by its mean-pooled last layer instead of TF-IDF");
  cs->add_flag("--no-centre", co->no_centre, "--lm-model: keep the raw pooled states (no mean subtraction)");
  cs->add_option("--write-texts", co->write_texts, "Also write the item texts, one per line, to this file");
  cs->add_option("--isa", co->isa, "--lm-model: scalar | avx2 | avx512 (default: MARKETLM_ISA, else the best)");
  cs->add_flag("--json", co->json, "Machine-readable output");
  cs->callback([&state, co] { state.exit_code = run_cold_start(*co); });

  rec->callback([&state, rec, ro] {
    if (!rec->get_subcommands().empty()) return;  // train / eval ran
    state.exit_code = run_recommend(*ro);
  });
}

}  // namespace marketlm::cli
