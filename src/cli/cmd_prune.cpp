// marketlm prune: magnitude (unstructured) or head / neuron (structured,
// masked) pruning of a GPT model, optionally with its perplexity cost.
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
};

int run_prune(const PruneOpts& o) {
  const std::string cmd = "prune";
  auto method = parse_prune_method(o.method);
  if (!method.is_ok()) return report_error(cmd, method.status());
  ThreadPool pool(o.threads);
  auto ctx = compress_context(&pool);
  if (!ctx.is_ok()) return report_error(cmd, ctx.status());
  auto model = GptModel::from_pretrained(o.model, *ctx);
  if (!model.is_ok()) return report_error(cmd, model.status());
  GptModel& m = **model;
  nlohmann::json report = {{"model", o.model}, {"out", o.out}, {"method", o.method}, {"amount", o.amount}};
  std::vector<int32_t> tokens;
  if (!o.data.empty()) {
    auto t = tokenize_for_model(o.model, o.tokenizer, m.config().vocab_size, o.data);
    if (!t.is_ok()) return report_error(cmd, t.status());
    tokens = std::move(*t);
    auto before = perplexity_json(m, tokens, o.window, o.max_tokens, !o.json);
    if (!before.is_ok()) return report_error(cmd, before.status());
    report["source"] = *before;
  }
  auto pr = gpt_prune(m, *method, o.amount);
  if (!pr.is_ok()) return report_error(cmd, pr.status());
  const Status st = save_model_dir_atomic(m, o.model, o.out);
  if (!st.is_ok()) return report_error(cmd, st);
  report["weights_zeroed"] = pr->weights_zeroed;
  report["weights_in_scope"] = pr->weights_in_scope;
  report["heads_removed"] = pr->heads_removed;
  report["neurons_removed"] = pr->neurons_removed;
  if (!tokens.empty()) {
    auto after = perplexity_json(m, tokens, o.window, o.max_tokens, !o.json);
    if (!after.is_ok()) return report_error(cmd, after.status());
    report["pruned"] = *after;
    const double a = report["source"]["perplexity"], b = (*after)["perplexity"];
    report["perplexity_change_percent"] = 100.0 * (b - a) / a;
  }
  if (o.json) {
    print_json(report);
  } else {
    std::cout << "wrote " << o.out << ": " << o.method << " zeroed " << pr->weights_zeroed << " of "
              << pr->weights_in_scope << " weights in scope\n";
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
  auto* c = app.add_subcommand("prune", "Prune a GPT model (magnitude, attention heads or MLP neurons)");
  c->add_option("--model", o->model, "Source model directory (f32)")->required();
  c->add_option("--method", o->method, "magnitude | heads | neurons")->required();
  c->add_option("--amount", o->amount, "Fraction to prune, in [0, 1) (default 0.3)");
  c->add_option("--out", o->out, "Output model directory (written atomically)")->required();
  c->add_option("--data", o->data, "Text file: report perplexity before and after");
  add_model_eval_options(c, *o);
  c->callback([o, &state] { state.exit_code = run_prune(*o); });
}

}  // namespace marketlm::cli
