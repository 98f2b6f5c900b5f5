// marketlm prune: magnitude (unstructured), head (structured, masked) or MLP
// neuron (structured, removed: a smaller n_inner) pruning of a GPT model, with
// its size and optionally its perplexity cost.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/compress_common.h"
#include "cli/output.h"

namespace marketlm::cli {
namespace {

struct PruneOpts : ModelEvalOpts {
  std::string method, out;
  double amount = 0.3;
  bool keep_shape = false;
};

int run_prune(const PruneOpts& o) {
  const std::string cmd = "prune";
  auto method = parse_prune_method(o.method);
  if (!method.is_ok()) return report_error(cmd, method.status());
  ThreadPool pool(o.threads);
  auto src = load_compress_source(o, &pool);
  if (!src.is_ok()) return report_error(cmd, src.status());
  GptModel& m = *src->model;
  const std::vector<int32_t>& tokens = src->tokens;
  nlohmann::json report = {{"model", o.model}, {"out", o.out}, {"method", o.method}, {"amount", o.amount}};
  if (!o.data.empty()) report["source"] = src->perplexity;
  const int64_t source_params = static_cast<int64_t>(m.num_params());
  const int64_t source_decode = m.decode_weight_bytes();
  auto pr = gpt_prune(m, *method, o.amount);
  if (!pr.is_ok()) return report_error(cmd, pr.status());
  // Neurons: the zeroed neurons are then cut out (a smaller n_inner), unless
  // --keep-shape. Heads cannot change shape in GPT-2's layout: masked.
  GptModel* out = &m;
  std::unique_ptr<GptModel> smaller;
  if (*method == PruneMethod::kNeurons && !o.keep_shape && pr->neurons_removed > 0) {
    auto removed = gpt_least_important_neurons(m, o.amount);
    if (!removed.is_ok()) return report_error(cmd, removed.status());
    auto s = gpt_remove_neurons(m, *removed);
    if (!s.is_ok()) return report_error(cmd, s.status());
    smaller = std::move(*s);
    out = smaller.get();
  }
  const Status st = save_model_dir_atomic(*out, o.model, o.out);
  if (!st.is_ok()) return report_error(cmd, st);
  report["weights_zeroed"] = pr->weights_zeroed;
  report["weights_in_scope"] = pr->weights_in_scope;
  report["heads_removed"] = pr->heads_removed;
  report["neurons_removed"] = pr->neurons_removed;
  report["shapes_changed"] = smaller != nullptr;
  report["n_inner"] = {{"source", m.config().mlp_hidden()}, {"pruned", out->config().mlp_hidden()}};
  report["parameters"] = {{"source", source_params}, {"pruned", static_cast<int64_t>(out->num_params())}};
  report["file_bytes"] = {{"source", model_file_bytes(o.model)}, {"pruned", model_file_bytes(o.out)}};
  report["decode_weight_bytes"] = {{"source", source_decode}, {"pruned", out->decode_weight_bytes()}};
  if (!tokens.empty()) {
    auto after = perplexity_json(*out, tokens, o.window, o.max_tokens, !o.json);
    if (!after.is_ok()) return report_error(cmd, after.status());
    report["pruned"] = *after;
    const double a = report["source"]["perplexity"], b = (*after)["perplexity"];
    report["perplexity_change_percent"] = 100.0 * (b - a) / a;
  }
  if (o.json) {
    print_json(report);
  } else {
    std::cout << "wrote " << o.out << ": " << o.method << " zeroed " << pr->weights_zeroed << " of "
              << pr->weights_in_scope << " weights in scope";
    if (smaller) std::cout << "; MLP width n_inner " << m.config().mlp_hidden() << " -> " << out->config().mlp_hidden();
    std::cout << "\nparameters " << source_params << " -> " << out->num_params() << ", model.safetensors "
              << report["file_bytes"]["source"].get<int64_t>() << " -> " << report["file_bytes"]["pruned"].get<int64_t>()
              << " bytes\n";
    if (!tokens.empty())
      std::cout << "perplexity: source " << report["source"]["perplexity"].get<double>() << ", pruned "
                << report["pruned"]["perplexity"].get<double>() << " ("
                << report["perplexity_change_percent"].get<double>() << "%)\n";
  }
  return 0;
}

}  // namespace

void register_prune(CLI::App& app, CliState& state) {
  auto o = std::make_shared<PruneOpts>();
  auto* c = app.add_subcommand("prune", "Prune a GPT model (magnitude, attention heads (masked) or MLP neurons (removed))");
  c->add_option("--model", o->model, "Source model directory (f32)")->required();
  c->add_option("--method", o->method, "magnitude | heads | neurons")->required();
  c->add_option("--amount", o->amount, "Fraction to prune, in [0, 1) (default 0.3)");
  c->add_option("--out", o->out, "Output model directory (written atomically)")->required();
  c->add_flag("--keep-shape", o->keep_shape,
              "neurons: keep the full MLP width with the pruned neurons zeroed (default: remove them, smaller n_inner)");
  c->add_option("--data", o->data, "Text file: report perplexity before and after");
  add_model_eval_options(c, *o);
  c->callback([o, &state] { state.exit_code = run_prune(*o); });
}

}  // namespace marketlm::cli
