// marketlm quantize: converts a GPT model directory to bf16 or int8
// inference weights (docs/formats.md), optionally reporting perplexity of the
// source and the result on a text.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/compress_common.h"
#include "cli/output.h"

namespace marketlm::cli {
namespace {

struct QuantizeOpts : ModelEvalOpts {
  std::string format, out;
  int group_size = 0;
};

int run_quantize(const QuantizeOpts& o) {
  const std::string cmd = "quantize";
  auto fmt = kernels::parse_weight_format(o.format);
  if (!fmt.is_ok()) return report_error(cmd, fmt.status());
  if (o.group_size != 0 && *fmt != kernels::WeightFormat::kInt8)
    return report_error(cmd, invalid_argument("--group-size " + std::to_string(o.group_size) +
                                              " applies to --format int8 only, not " + o.format));
  if (Status g = kernels::check_int8_group_size(o.group_size); !g.is_ok()) return report_error(cmd, g);
  ThreadPool pool(o.threads);
  auto src = load_compress_source(o, &pool);
  if (!src.is_ok()) return report_error(cmd, src.status());
  GptModel& m = *src->model;
  const std::vector<int32_t>& tokens = src->tokens;
  nlohmann::json report = {{"model", o.model}, {"out", o.out}, {"format", o.format}, {"group_size", o.group_size}};
  if (!o.data.empty()) report["source"] = src->perplexity;
  const int64_t source_bytes = m.decode_weight_bytes();
  Status st = m.set_weight_format(*fmt, o.group_size);
  if (st.is_ok()) st = save_model_dir_atomic(m, o.model, o.out);
  if (!st.is_ok()) return report_error(cmd, st);
  report["decode_weight_bytes"] = {{"source", source_bytes}, {"quantized", m.decode_weight_bytes()}};
  report["file_bytes"] = {{"source", model_file_bytes(o.model)}, {"quantized", model_file_bytes(o.out)}};
  if (!tokens.empty()) {
    auto after = perplexity_json(m, tokens, o.window, o.max_tokens, !o.json);
    if (!after.is_ok()) return report_error(cmd, after.status());
    report["quantized"] = *after;
    const double a = report["source"]["perplexity"], b = (*after)["perplexity"];
    report["perplexity_change_percent"] = 100.0 * (b - a) / a;
  }
  if (o.json) {
    print_json(report);
  } else {
    std::cout << "wrote " << o.out << " (" << o.format;
    if (o.group_size > 0) std::cout << ", groups of " << o.group_size;
    std::cout << ")\n";
    if (!tokens.empty())
      std::cout << "perplexity: source " << report["source"]["perplexity"].get<double>() << ", " << o.format << " "
                << report["quantized"]["perplexity"].get<double>() << " ("
                << report["perplexity_change_percent"].get<double>() << "%)\n";
  }
  return 0;
}

}  // namespace

void register_quantize(CLI::App& app, CliState& state) {
  auto o = std::make_shared<QuantizeOpts>();
  auto* c = app.add_subcommand("quantize", "Convert a GPT model to bf16 or int8 inference weights");
  c->add_option("--model", o->model, "Source model directory (f32)")->required();
  c->add_option("--format", o->format, "bf16 | int8")->required();
  c->add_option("--out", o->out, "Output model directory (written atomically)")->required();
  c->add_option("--group-size", o->group_size,
                "int8: inputs per scale, a power of two 32..4096 (0 = one scale per output channel, default)");
  c->add_option("--data", o->data, "Text file: report perplexity before and after");
  add_model_eval_options(c, *o);
  c->callback([o, &state] { state.exit_code = run_quantize(*o); });
}

}  // namespace marketlm::cli
