#include "fake_micropython.h"

#include <fstream>
#include <sstream>

namespace mpyship::test {
namespace fs = std::filesystem;

namespace {

// Shared recipe: record, check the manifest, compile a frozen module with mpyship-as-mpy-cross, write images.
const char* k_common_rules = R"MK(
all:
	@mkdir -p $(BUILD)
	@echo "call" >> $(BUILD)/calls.txt
	@echo "BOARD=$(BOARD)" > $(BUILD)/make-args.txt
	@echo "VARIANT=$(VARIANT)" >> $(BUILD)/make-args.txt
	@echo "BOARD_VARIANT=$(BOARD_VARIANT)" >> $(BUILD)/make-args.txt
	@echo "FROZEN_MANIFEST=$(FROZEN_MANIFEST)" >> $(BUILD)/make-args.txt
	@echo "USER_C_MODULES=$(USER_C_MODULES)" >> $(BUILD)/make-args.txt
	@echo "MICROPY_MPYCROSS=$(MICROPY_MPYCROSS)" >> $(BUILD)/make-args.txt
	@echo "EXTRA=$(EXTRA)" >> $(BUILD)/make-args.txt
	@echo "MAKEFLAGS=$(MAKEFLAGS)" >> $(BUILD)/make-args.txt
	@echo "LC_ALL=$$LC_ALL" >> $(BUILD)/make-args.txt
	@test -f "$(FROZEN_MANIFEST)" || (echo "error: no manifest"; exit 1)
	@cp "$(FROZEN_MANIFEST)" $(BUILD)/frozen_manifest.py
	@echo "CC py/frozen.c"
	$(MICROPY_MPYCROSS) -o $(BUILD)/frozen_hello.mpy -s frozen_hello.py ../../py/frozen_hello.py
ifdef FAIL
	@echo "CC main.c"
	@echo "main.c:12:5: error: 'foo' undeclared"
	@echo "main.c:13:1: error: expected ';'"
	@echo "make: *** [main.o] Error 1"
	@exit 2
endif
	@echo "object" > $(BUILD)/main.o
)MK";

// MicroPython's `make submodules`, after each port's `all` recipe (so the error line numbers stay put).
const char* k_submodules_rule = R"MK(
# MicroPython's `make submodules`: here it fills lib/fake-submodule (offline), recording the board it was for.
submodules:
ifdef SUBMODULES_FAIL
	@echo "fatal: unable to access 'https://github.com/micropython/fake.git/': Could not resolve host: github.com"
	@exit 2
endif
	@mkdir -p ../../lib/fake-submodule
	@echo "BOARD=$(BOARD) VARIANT=$(VARIANT)" > ../../lib/fake-submodule/fetched.txt
)MK";

} // namespace

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_fake_micropython(const fs::path& dir) {
    write_text(dir / "py/mpconfig.h", "// fake mpconfig\n#define FAKE_LEVEL 1\n");
    write_text(dir / "py/frozen_hello.py", "def hello():\n    return 'hello from frozen'\n");
    write_text(dir / "lib/micropython-lib/README.md", "fake micropython-lib\n");
    write_text(dir / "ports/unix/variants/standard/manifest.py", "# unix standard manifest\n");
    write_text(dir / "ports/unix/variants/minimal/mpconfigvariant.h", "\n");
    write_text(dir / "ports/unix/Makefile",
               std::string("VARIANT ?= standard\nBUILD = build-$(VARIANT)\n") + k_common_rules +
                   "\t@printf '#!/bin/sh\\necho micropython\\n' > $(BUILD)/micropython\n" +
                   k_submodules_rule);
    std::string board_rules =
        std::string("BOARD ?= BOARD_A\nBUILD = build-$(BOARD)$(if $(BOARD_VARIANT),-$(BOARD_VARIANT))\n") +
        k_common_rules +
        "\t@echo bin > $(BUILD)/firmware.bin\n"
        "\t@echo elf > $(BUILD)/firmware.elf\n"
        "\t@echo uf2 > $(BUILD)/firmware.uf2\n"
        "\t@echo '--flash_mode dio' > $(BUILD)/flash_args\n"
        "\t@mkdir -p $(BUILD)/bootloader && echo boot > $(BUILD)/bootloader/bootloader.bin\n" +
        k_submodules_rule;
    write_text(dir / "ports/fake/Makefile", board_rules);
    write_text(dir / "ports/fake/boards/manifest.py", "# fake port manifest\n");
    write_text(dir / "ports/fake/boards/BOARD_A/mpconfigboard.mk", "\n");
    write_text(dir / "ports/fake/boards/BOARD_B/mpconfigboard.mk", "\n");
    write_text(dir / "ports/fake/boards/BOARD_B/manifest.py", "# board B manifest\n");
    write_text(dir / "ports/fake/boards/BOARD_B/mpconfigvariant_SPIRAM.mk", "\n");
    write_text(dir / "ports/qemu/Makefile", board_rules);
    write_text(dir / "ports/qemu/boards/MPS2_AN385/mpconfigboard.mk", "\n");
}

void write_fake_project(const fs::path& dir, const std::string& firmware_section) {
    write_text(dir / "mpyship.toml",
               "[project]\nname = \"demo\"\ntarget = \"micropython\"\n\n[firmware]\n" + firmware_section);
    write_text(dir / "src/app.py", "print('app')\n");
    write_text(dir / "src/lib/util.py", "X = 1\n");
    write_text(dir / "src/main.py", "import app\n");
}

std::string level_patch(int from, int to) {
    return "--- a/py/mpconfig.h\n+++ b/py/mpconfig.h\n@@ -1,2 +1,2 @@\n // fake mpconfig\n-#define "
           "FAKE_LEVEL " +
           std::to_string(from) + "\n+#define FAKE_LEVEL " + std::to_string(to) + "\n";
}

} // namespace mpyship::test
