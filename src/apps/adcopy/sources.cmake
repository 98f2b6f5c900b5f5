# Ad copy: briefs, channel presets, rules, prompt format, Chinese word
# segmentation, metrics, baselines, training-data preparation, output formats.
# libzip through pkg-config: Debian 12 ships libzip-config.cmake pointing at
# tools from libzip-tools, which breaks find_package(libzip) without them.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET GLOBAL libzip)
list(APPEND MARKETLM_APPS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/text_width.cpp
  ${CMAKE_CURRENT_LIST_DIR}/channel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/brief.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rules.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prompt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/segmenter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/jieba_hmm.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/buyer_voice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset.cpp
  ${CMAKE_CURRENT_LIST_DIR}/evaluation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prepare.cpp
  ${CMAKE_CURRENT_LIST_DIR}/english_pairs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/feature_boost.cpp
  ${CMAKE_CURRENT_LIST_DIR}/opening.cpp
  ${CMAKE_CURRENT_LIST_DIR}/generator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/report.cpp)
list(APPEND MARKETLM_APPS_DEPS marketlm_generate marketlm_train marketlm_text marketlm_core nlohmann_json::nlohmann_json PkgConfig::LIBZIP)
