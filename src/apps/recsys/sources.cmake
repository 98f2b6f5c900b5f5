# recsys: sequential recommendation (data, leave-one-out evaluation, baselines,
# model directory). SASRec joins once the shared transformer in nn/ lands.
set(_recsys ${CMAKE_CURRENT_LIST_DIR})
list(APPEND MARKETLM_APPS_SOURCES
  ${_recsys}/data.cpp
  ${_recsys}/split.cpp
  ${_recsys}/metrics.cpp
  ${_recsys}/evaluate.cpp
  ${_recsys}/tensor_file.cpp
  ${_recsys}/rec_config.cpp
  ${_recsys}/recommender.cpp
  ${_recsys}/sparse_rows.cpp
  ${_recsys}/popularity.cpp
  ${_recsys}/markov.cpp
  ${_recsys}/item_knn.cpp
  ${_recsys}/bpr.cpp
  ${_recsys}/model_dir.cpp
  ${_recsys}/cold_start.cpp
  ${_recsys}/seq_windows.cpp
  ${_recsys}/sasrec.cpp
  ${_recsys}/lm_embedder.cpp)
list(APPEND MARKETLM_APPS_DEPS marketlm_models marketlm_nn marketlm_text marketlm_kernels marketlm_core nlohmann_json::nlohmann_json)
