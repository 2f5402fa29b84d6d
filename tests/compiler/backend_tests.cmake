# Back-end tests: encoders in isolation, and hand-driven emitters reproducing the reference byte for byte.
list(APPEND MPYSHIP_COMPILER_TESTS
  compiler/line_table_test.cpp
  compiler/jump_layout_test.cpp
  compiler/module_tables_test.cpp
  compiler/backend_golden_test.cpp
)
