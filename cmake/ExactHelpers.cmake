# One helper per target kind, in the abseil style. Every target gets the
# project's warnings and sanitizer flags.
set(EXACT_WARNINGS -Wall -Wextra -Wshadow -Wcast-qual -Wnon-virtual-dtor
    -Wmissing-declarations -Wformat-security -Wvla -Wundef -Wunused-result)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND EXACT_WARNINGS -Wthread-safety)
else()
  # GCC 12 reports false -Wrestrict positives inside std::string (GCC PR 105329).
  list(APPEND EXACT_WARNINGS -Wno-restrict)
endif()
if(EXACT_WERROR)
  list(APPEND EXACT_WARNINGS -Werror)
endif()
if(EXACT_SANITIZE)
  add_compile_options(-fsanitize=${EXACT_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${EXACT_SANITIZE})
endif()

# exact_cc_library(NAME name SRCS ... DEPS ...): library exact_<name>, alias exact::<name>.
function(exact_cc_library)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(exact_${A_NAME} STATIC ${A_SRCS})
  add_library(exact::${A_NAME} ALIAS exact_${A_NAME})
  target_include_directories(exact_${A_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(exact_${A_NAME} PRIVATE ${EXACT_WARNINGS})
  target_link_libraries(exact_${A_NAME} PUBLIC ${A_DEPS})
endfunction()

# exact_cc_binary(NAME name SRCS ... DEPS ...)
function(exact_cc_binary)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_compile_options(${A_NAME} PRIVATE ${EXACT_WARNINGS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
endfunction()

# exact_cc_test(NAME name SRCS ... DEPS ...): a GoogleTest binary registered with ctest.
function(exact_cc_test)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_compile_options(${A_NAME} PRIVATE ${EXACT_WARNINGS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${A_NAME} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
