// make_tiny_adcopy_model DIR: writes a tiny random-weight ad-copy model
// directory (config.json, model.safetensors, tokenizer files) for the CLI
// end-to-end tests of `marketlm adcopy` and `marketlm eval adcopy --model`.
#include <cstdio>

#include "apps/adcopy/tiny_adcopy_model.h"

int main(int argc, char** argv) {
  using namespace marketlm::adcopy::testing;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_tiny_adcopy_model DIR\n");
    return 2;
  }
  auto tok = tiny_adcopy_tokenizer();
  if (!tok) {
    std::fprintf(stderr, "%s\n", tok.status().to_string().c_str());
    return 1;
  }
  auto model = tiny_adcopy_gpt(*tok, 11);
  if (!model) {
    std::fprintf(stderr, "%s\n", model.status().to_string().c_str());
    return 1;
  }
  marketlm::Status st = (*model)->save_pretrained(argv[1]);
  if (st) st = tok->save_pretrained(argv[1]);
  if (!st) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  return 0;
}
