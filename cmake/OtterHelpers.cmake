# Helpers shared by every folder: the private build settings target and the
# otter_add_library / otter_add_test / otter_add_bench / otter_add_example functions.

# -- otter_internal: warnings, sanitizers, runtime checks. Linked PRIVATE, never installed.
add_library(otter_internal INTERFACE)
target_compile_features(otter_internal INTERFACE cxx_std_20)
target_compile_options(otter_internal INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow>
  $<$<CXX_COMPILER_ID:Clang>:-Wthread-safety>
  $<$<BOOL:${OTTER_WERROR}>:-Werror>)
if(OTTER_RUNTIME_CHECKS)
  target_compile_definitions(otter_internal INTERFACE OTTER_RUNTIME_CHECKS=1)
endif()
if(OTTER_SANITIZE)
  target_compile_options(otter_internal INTERFACE -fsanitize=${OTTER_SANITIZE} -fno-omit-frame-pointer)
  target_link_options(otter_internal INTERFACE -fsanitize=${OTTER_SANITIZE})
  if(OTTER_SANITIZE MATCHES "undefined")
    target_compile_options(otter_internal INTERFACE -fno-sanitize-recover=undefined)
  endif()
endif()

# otter_add_library(<layer> SOURCES ... DEPS ...) -> target otter_<layer>, alias otter::<layer>
function(otter_add_library layer)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_library(otter_${layer} ${arg_SOURCES})
  add_library(otter::${layer} ALIAS otter_${layer})
  target_include_directories(otter_${layer}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_features(otter_${layer} PUBLIC cxx_std_20)
  target_link_libraries(otter_${layer} PUBLIC ${arg_DEPS} PRIVATE otter_internal)
endfunction()

# otter_add_test(<binary> SOURCES ... DEPS ... LABELS ... [TIMEOUT s])
# One GoogleTest binary per folder; every TEST becomes one CTest test.
function(otter_add_test name)
  cmake_parse_arguments(arg "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_DEPS} GTest::gtest_main otter_internal)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  # Listing the tests loads the whole binary (~300 MB under ASan): on a host that had dropped
  # its page cache that took 5.2 s, past gtest's default discovery timeout of 5 s.
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${arg_LABELS}" TIMEOUT ${arg_TIMEOUT})
endfunction()

# otter_add_bench(<name> SOURCES ... [SMOKE_ARGS ...]) -> executable bench_<name> and a ctest
# bench_smoke.<name> that runs it at a tiny size (label bench-smoke).
function(otter_add_bench name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS;SMOKE_ARGS" ${ARGN})
  add_executable(bench_${name} ${arg_SOURCES})
  target_link_libraries(bench_${name} PRIVATE otter::core ${arg_DEPS} otter_internal)
  if(OTTER_BUILD_TESTS)
    add_test(NAME bench_smoke.${name} COMMAND bench_${name} ${arg_SMOKE_ARGS})
    set_tests_properties(bench_smoke.${name} PROPERTIES LABELS bench-smoke TIMEOUT 120)
  endif()
endfunction()

# otter_add_example(<name> SOURCES ... [RUNS]) -> executable, part of all_examples; with RUNS the
# example terminates by itself and becomes the ctest example.<name>.
if(NOT TARGET all_examples)
  add_custom_target(all_examples)
endif()
function(otter_add_example name)
  cmake_parse_arguments(arg "RUNS" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE otter::core ${arg_DEPS} otter_internal)
  add_dependencies(all_examples ${name})
  if(arg_RUNS AND OTTER_BUILD_TESTS)
    add_test(NAME example.${name} COMMAND ${name})
    set_tests_properties(example.${name} PROPERTIES LABELS example TIMEOUT 60)
  endif()
endfunction()
