# Shared helpers for marketlm targets.

# Warnings for our own code only (third-party headers are included as SYSTEM).
function(marketlm_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wno-unused-parameter)
endfunction()

# marketlm_layer(NAME SOURCES ... DEPS ...): one static library per layer.
function(marketlm_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS" ${ARGN})
  add_library(marketlm_${name} STATIC ${L_SOURCES})
  target_include_directories(marketlm_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                              PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(marketlm_${name} PUBLIC ${L_DEPS})
  marketlm_warnings(marketlm_${name})
endfunction()

# marketlm_test(NAME LABEL SOURCES ... DEPS ...): a GoogleTest binary whose
# cases are registered with ctest under the given label.
function(marketlm_test name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    MARKETLM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    MARKETLM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  marketlm_warnings(${name})
  gtest_discover_tests(${name} PROPERTIES LABELS ${T_LABEL}
                       DISCOVERY_TIMEOUT 60
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()
