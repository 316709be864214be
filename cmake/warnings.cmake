# Warnings are an INTERFACE target linked PRIVATE by every benzosim target, never global flags.
add_library(benzosim_warnings INTERFACE)
target_compile_options(benzosim_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wdouble-promotion -Wformat=2)
if(BENZOSIM_WERROR)
  target_compile_options(benzosim_warnings INTERFACE -Werror)
endif()

# Tests: the same discipline without the conversion warnings, which would only add casts to test arithmetic.
add_library(benzosim_test_warnings INTERFACE)
target_compile_options(benzosim_test_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
# GCC 12 reports false -Wrestrict positives inside std::string's inline code at -O2/-O3 (GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(benzosim_warnings INTERFACE -Wno-restrict)
  target_compile_options(benzosim_test_warnings INTERFACE -Wno-restrict)
endif()
if(BENZOSIM_WERROR)
  target_compile_options(benzosim_test_warnings INTERFACE -Werror)
endif()
