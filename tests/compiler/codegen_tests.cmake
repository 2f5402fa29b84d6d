# Code-generation tests: whole programs compiled byte for byte against mpy-cross goldens.
list(APPEND MPYSHIP_COMPILER_TESTS
  compiler/compile_corpus_test.cpp
  compiler/codegen_snapshot_test.cpp
  compiler/codegen_reference_suite_test.cpp
  compiler/inline_asm_test.cpp
  compiler/native_emitter_test.cpp
  compiler/viper_emitter_test.cpp
  compiler/viper_thumb_test.cpp
  compiler/viper_rv32_test.cpp
  compiler/viper_xtensa_test.cpp
  compiler/viper_x86_test.cpp
  compiler/native_thumb_test.cpp
  compiler/native_rv32_test.cpp
  compiler/native_xtensa_test.cpp
  compiler/native_x86_test.cpp
  compiler/emit_native_test.cpp
  compiler/viper_rv32_zba_test.cpp
  compiler/native_build_test.cpp
  compiler/float_parse_test.cpp
  compiler/float_repr_test.cpp
)
