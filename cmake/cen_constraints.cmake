# kernel/constraints/ is compiled as is, never copied: the same files go into
# cenalloc.ko (Kbuild) and into these userspace libraries.
set(CEN_CONSTRAINTS_DIR ${CMAKE_CURRENT_LIST_DIR}/../kernel/constraints)
cmake_path(NORMAL_PATH CEN_CONSTRAINTS_DIR)
set(CEN_CONSTRAINTS_SOURCES
  ${CEN_CONSTRAINTS_DIR}/cen_constraints.c
  ${CEN_CONSTRAINTS_DIR}/cen_layout.c
  ${CEN_CONSTRAINTS_DIR}/cen_solver.c
  ${CEN_CONSTRAINTS_DIR}/cen_text.c)

# cen_constraints_library(<name> [extra compile options...])
# A static library of the constraint code, C11, -Wall -Wextra -Werror.
# Extra options are for instrumented variants (the fuzzer's coverage).
function(cen_constraints_library name)
  add_library(${name} STATIC ${CEN_CONSTRAINTS_SOURCES})
  set_target_properties(${name} PROPERTIES C_STANDARD 11 C_EXTENSIONS OFF)
  target_compile_options(${name} PRIVATE -Wall -Wextra -Werror ${ARGN})
  target_include_directories(${name} PUBLIC ${CEN_CONSTRAINTS_DIR})
endfunction()
