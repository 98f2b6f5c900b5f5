// make_recommender: model type name -> a fresh, untrained model.
#include "marketlm/apps/recsys/recommender.h"

#include "apps/recsys/baselines.h"

namespace marketlm::recsys {

std::vector<std::string> recommender_types() { return {"pop", "itemknn", "bpr", "markov", "sasrec"}; }

Result<std::unique_ptr<SequentialRecommender>> make_recommender(std::string_view type) {
  std::unique_ptr<SequentialRecommender> m;
  if (type == "pop") m = std::make_unique<PopularityRecommender>();
  else if (type == "itemknn") m = std::make_unique<ItemKnnRecommender>();
  else if (type == "bpr") m = std::make_unique<BprRecommender>();
  else if (type == "markov") m = std::make_unique<MarkovRecommender>();
  else if (type == "sasrec") m = make_sasrec_recommender();
  else {
    return invalid_argument("unknown model type '" + std::string(type) +
                            "', expected one of pop, itemknn, bpr, markov, sasrec");
  }
  return m;
}

}  // namespace marketlm::recsys
