# Run at build time (cmake -P): asks the freshly built mpyship for its man page and completion scripts,
# so they always match the binary's command table. MPYSHIP: the binary; OUT: the output folder.
file(MAKE_DIRECTORY "${OUT}")
foreach(job "man;mpyship.1" "completion;bash;mpyship.bash" "completion;zsh;_mpyship" "completion;fish;mpyship.fish")
  list(POP_BACK job name)
  execute_process(COMMAND "${MPYSHIP}" ${job} OUTPUT_FILE "${OUT}/${name}.tmp" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mpyship ${job} failed (${rc})")
  endif()
  file(RENAME "${OUT}/${name}.tmp" "${OUT}/${name}")
endforeach()
# Debian installs man pages gzip-compressed, without a name or time in the gzip header (-n).
execute_process(COMMAND gzip -9 -n -c "${OUT}/mpyship.1" OUTPUT_FILE "${OUT}/mpyship.1.gz" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip of the man page failed (${rc})")
endif()
