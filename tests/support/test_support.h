// Helpers shared by the test programs: where test data lives, golden file discovery, running the CLI.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship::test {

std::filesystem::path data_dir();   // tests/data in the repository
std::filesystem::path corpus_dir(); // ../shared/corpus; may not exist on a fresh clone
bool have_shared_corpus();
std::filesystem::path mpyship_binary();

// Every file under `dir` (recursively) whose name ends with `suffix`, sorted.
std::vector<std::filesystem::path> files_with_suffix(const std::filesystem::path& dir,
                                                     const std::string& suffix);

// The tab-separated fields of one line of a golden .tsv file (an empty field between two tabs counts).
std::vector<std::string> tab_fields(const std::string& line);

std::vector<unsigned char> read_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::vector<unsigned char>& data);

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};
// Runs a program with arguments (no shell) and captures stdout/stderr.
RunResult run_program(const std::vector<std::string>& argv, const std::string& stdin_data = "");
// Runs the mpyship binary under test with `args`.
RunResult run_mpyship(std::vector<std::string> args);
// Writes `text` to `path`, creating its folders.
void write_text_file(const std::filesystem::path& path, const std::string& text);

// A fresh temporary directory removed when the object goes away.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

  private:
    std::filesystem::path m_path;
};

} // namespace mpyship::test
