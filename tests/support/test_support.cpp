#include "test_support.h"

#include "mpyship/util/process.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <iterator>
#include <stdexcept>
#include <unistd.h>

namespace mpyship::test {

std::filesystem::path data_dir() {
    return MPYSHIP_TEST_DATA_DIR;
}
std::filesystem::path corpus_dir() {
    return MPYSHIP_CORPUS_DIR;
}
bool have_shared_corpus() {
    return std::filesystem::is_directory(corpus_dir() / "compile");
}
std::filesystem::path mpyship_binary() {
    return MPYSHIP_BINARY;
}

std::vector<std::filesystem::path> files_with_suffix(const std::filesystem::path& dir,
                                                     const std::string& suffix) {
    std::vector<std::filesystem::path> out;
    if (!std::filesystem::is_directory(dir))
        return out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().filename().string().ends_with(suffix))
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> tab_fields(const std::string& line) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, '\t');)
        fields.push_back(field);
    return fields;
}

std::vector<unsigned char> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, const std::vector<unsigned char>& data) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

RunResult run_mpyship(std::vector<std::string> args) {
    args.insert(args.begin(), mpyship_binary().string());
    return run_program(args);
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

RunResult run_program(const std::vector<std::string>& argv, const std::string& stdin_data) {
    auto r = run_process(argv, stdin_data);
    if (!r)
        throw std::runtime_error(r.error().to_string());
    return RunResult{r->exit_code, r->out, r->err};
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mpyship-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
        throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

} // namespace mpyship::test
