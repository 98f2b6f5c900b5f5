# apps/campaign: bandits, off-policy evaluation, uplift, response targeting,
# budget allocation (issue #6). Needs no language model.
list(APPEND MARKETLM_APPS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/csv.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bandit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bandit_policies.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ope.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logged_feedback.cpp
  ${CMAKE_CURRENT_LIST_DIR}/obd.cpp
)
list(APPEND MARKETLM_APPS_DEPS marketlm_core)
list(APPEND MARKETLM_APPS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/tabular_encode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/logistic_regression.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gradient_boosting.cpp
  ${CMAKE_CURRENT_LIST_DIR}/targeting.cpp
)
list(APPEND MARKETLM_APPS_SOURCES ${CMAKE_CURRENT_LIST_DIR}/uplift.cpp)
list(APPEND MARKETLM_APPS_SOURCES ${CMAKE_CURRENT_LIST_DIR}/budget.cpp)
list(APPEND MARKETLM_APPS_SOURCES ${CMAKE_CURRENT_LIST_DIR}/bandit_sim.cpp)
