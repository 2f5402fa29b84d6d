// mpyship: parse the command line, run the command, return its exit code.
#include "mpyship/cli/command_table.h"

int main(int argc, char** argv) {
    return mpyship::cli::run(argc, argv);
}
