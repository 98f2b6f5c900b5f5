// GenerationOutput as JSON for the CLI and the HTTP server.
#include <nlohmann/json.hpp>

#include "marketlm/generate/generate.h"

namespace marketlm {

std::string generation_output_to_json(const GenerationOutput& out) {
  using json = nlohmann::json;
  json j;
  j["prompt_tokens"] = out.prompt_tokens;
  j["prefill_calls"] = out.prefill_calls;
  j["decode_calls"] = out.decode_calls;
  j["restarts"] = out.restarts;
  json seqs = json::array();
  for (const GeneratedSequence& s : out.sequences) {
    json o;
    o["text"] = s.text;
    o["token_ids"] = s.token_ids;
    o["finish_reason"] = finish_reason_openai(s.finish_reason);
    o["finish_detail"] = finish_reason_name(s.finish_reason);
    o["score"] = s.score;
    o["force_words_met"] = s.force_words_met;
    o["duplicate_of"] = s.duplicate_of;
    if (!s.tokens.empty()) {
      json toks = json::array();
      for (const GeneratedToken& t : s.tokens) {
        json top = json::array();
        for (const TokenLogprob& a : t.top) top.push_back({{"token", a.token}, {"logprob", a.logprob}});
        toks.push_back({{"token", t.token}, {"logprob", t.logprob}, {"top", top}});
      }
      o["tokens"] = toks;
    }
    seqs.push_back(std::move(o));
  }
  j["sequences"] = seqs;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace marketlm
