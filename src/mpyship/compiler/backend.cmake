# Back end: bytecode emitter, jump layout, line table, module tables and module assembly.
list(APPEND MPYSHIP_COMPILER_SOURCES
  emitter.cpp
  jump_layout.cpp
  line_table.cpp
  module_builder.cpp
  module_tables.cpp
  native_emitter.cpp
  native_stack.cpp
  native_x64.cpp
  native_viper.cpp
  native_viper_x64.cpp
  native_viper_x64_ops.cpp
  native_viper_x86.cpp
  native_viper_thumb.cpp
  native_viper_rv32.cpp
  viper_types.cpp
  x64_encoder.cpp
  native_x86.cpp
  native_thumb.cpp
  thumb_encoder.cpp
  native_rv32.cpp
  rv32_encoder.cpp
  native_viper_xtensa.cpp
  native_xtensa.cpp
  xtensa_encoder.cpp
  small_int.cpp
)
