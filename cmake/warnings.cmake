# Warnings are an INTERFACE target linked PRIVATE by every benzosim target, never global flags.
add_library(benzosim_warnings INTERFACE)
target_compile_options(benzosim_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2)
if(BENZOSIM_WERROR)
  target_compile_options(benzosim_warnings INTERFACE -Werror)
endif()
