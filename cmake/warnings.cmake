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
if(BENZOSIM_WERROR)
  target_compile_options(benzosim_test_warnings INTERFACE -Werror)
endif()
