// mpyship_difffuzz: the differential fuzzer. Runs generated and mutated programs through our compiler and
// through the official mpy-cross binaries (MicroPython 1.28.0 and CircuitPython 10.2.1, built by hand outside
// this repository), at a random -O level and small-int size per program, and reports every difference
// grouped by class, each class with programs shrunk to a minimal case. Run by hand, not in CI:
//   mpyship_difffuzz --mp PATH/mpy-cross --cp PATH/cp-mpy-cross --generated 100000 --mutated 10000
//       --corpus ../shared/corpus --corpus MICROPYTHON/tests --jobs 2 --out /tmp/difffuzz
// Native code: --march x64 compares every program with -march=x64, and --native 20 decorates 20% of the
// generated functions @micropython.native and adds typed @micropython.viper functions; programs our compiler
// declines ("not implemented yet") are counted by message, not compared.
// A program on which our compiler runs for more than 20 s is written to OUT/hang.py and the run stops.
#include "mutator.h"
#include "outcome.h"
#include "program_generator.h"
#include "reference_compiler.h"
#include "shrinker.h"

#include "mpyship/util/file_io.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace mpyship::parity {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// SIGINT/SIGTERM: the workers finish their current program and the report is printed as usual.
std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) {
    g_stop = true;
}

struct Arguments {
    fs::path mp, cp, out = "/tmp/difffuzz";
    std::vector<fs::path> corpus_dirs;
    long generated = 1000, mutated = 0;
    std::uint64_t seed = 1;
    int jobs = 2;
    bool shrink = true;
    bool default_config_only = false;
    std::string march;    // --march ARCH: every comparison with -march=ARCH
    int native_share = 0; // --native PERCENT: functions decorated native, as many viper functions added
};

struct ClassRecord {
    long count = 0;
    std::vector<std::string> examples; // file stems written under OUT/<slug>/
};

class Campaign {
public:
    explicit Campaign(Arguments args);
    int run();

private:
    void worker(int index);
    void check(const std::string& program, const std::string& origin, std::uint64_t seed, int worker);
    void check_target(const std::string& program, const std::string& origin, const Config& config,
                      const ReferenceCompiler& reference, int worker);
    void record(const std::string& cls, const std::string& program, const std::string& origin, const Config& config,
                const ReferenceCompiler& reference, bool reference_slow);
    Config random_config(compiler::Target target, std::uint64_t seed) const;
    std::string input(long i, std::uint64_t& seed) const;
    void watchdog();
    void print_report(std::ostream& out) const;

    Arguments m_args;
    std::vector<std::string> m_corpus;
    std::vector<std::unique_ptr<ReferenceCompiler>> m_mp, m_cp;
    std::atomic<long> m_next{0};
    std::atomic<long> m_done{0}, m_compared{0};
    // How long the reference took per comparison: under 0.1 s, 0.1-1 s, 1-5 s, over 5 s; and the total in ms.
    std::array<std::atomic<long>, 4> m_reference_times{};
    std::atomic<long> m_reference_ms{0};
    // Programs the reference did not finish within its deadline: no outcome to compare, so not a difference
    // class; counted, and the first 20 kept in OUT/timed_out to be rerun by hand with more time.
    std::atomic<long> m_timed_out{0};
    std::mutex m_mutex;
    std::map<std::string, ClassRecord> m_classes;
    std::map<std::string, long> m_refused; // our "not implemented yet" messages (native code), by text
    std::vector<std::atomic<std::int64_t>> m_started; // per worker: when its current compile began (0: idle)
    std::vector<std::string> m_current;               // per worker: the program being compiled
    std::atomic<bool> m_finished{false};
};

Campaign::Campaign(Arguments args) : m_args(std::move(args)), m_started(std::size_t(m_args.jobs)),
                                     m_current(std::size_t(m_args.jobs)) {
    for (const auto& dir : m_args.corpus_dirs)
        for (const auto& entry : fs::recursive_directory_iterator(dir))
            if (entry.is_regular_file() && entry.path().extension() == ".py")
                if (auto bytes = read_file(entry.path()); bytes && bytes->size() < 64 * 1024)
                    m_corpus.emplace_back(bytes->begin(), bytes->end());
    std::sort(m_corpus.begin(), m_corpus.end());
    for (int j = 0; j < m_args.jobs; ++j) {
        const fs::path work = m_args.out / ("work" + std::to_string(j));
        if (!m_args.mp.empty())
            m_mp.push_back(std::make_unique<ReferenceCompiler>(m_args.mp, work / "mp"));
        if (!m_args.cp.empty())
            m_cp.push_back(std::make_unique<ReferenceCompiler>(m_args.cp, work / "cp"));
    }
}

Config Campaign::random_config(compiler::Target target, std::uint64_t seed) const {
    Config config;
    config.target = target;
    config.march = m_args.march;
    if (m_args.default_config_only)
        return config;
    static const int bits[] = {31, 31, 63, 16, 8};
    config.opt_level = int(seed % 4);
    config.small_int_bits = bits[(seed / 4) % 5];
    return config;
}

// Input i: a generated program for i < generated, then mutations of corpus programs.
std::string Campaign::input(long i, std::uint64_t& seed) const {
    seed = m_args.seed * 1'000'003ULL + std::uint64_t(i);
    if (i < m_args.generated || m_corpus.empty()) {
        ProgramGenerator generator(seed);
        generator.set_native_share(m_args.native_share);
        return generator.program();
    }
    const std::string& base = m_corpus[seed % m_corpus.size()];
    return Mutator(seed).mutate(base);
}

void Campaign::worker(int index) {
    for (long i = m_next++; i < m_args.generated + m_args.mutated && !g_stop; i = m_next++) {
        std::uint64_t seed = 0;
        const std::string program = input(i, seed);
        check(program, i < m_args.generated ? "generated" : "mutated", seed, index);
        const long done = ++m_done;
        if (done % 1000 == 0) {
            std::lock_guard lock(m_mutex);
            std::cerr << done << " programs, " << m_compared << " comparisons, " << m_classes.size()
                      << " classes\n";
        }
    }
}

void Campaign::check(const std::string& program, const std::string& origin, std::uint64_t seed, int worker) {
    if (!m_mp.empty())
        check_target(program, origin, random_config(compiler::Target::micropython, seed), *m_mp[std::size_t(worker)],
                     worker);
    if (!m_cp.empty())
        check_target(program, origin, random_config(compiler::Target::circuitpython, seed / 7),
                     *m_cp[std::size_t(worker)], worker);
}

void Campaign::check_target(const std::string& program, const std::string& origin, const Config& config,
                            const ReferenceCompiler& reference, int worker) {
    m_current[std::size_t(worker)] = program;
    m_started[std::size_t(worker)] = Clock::now().time_since_epoch().count();
    const Outcome ours = compile_ours(program, config);
    m_started[std::size_t(worker)] = 0;
    if (refused_as_not_implemented(ours)) { // not compared: counted, the report names the constructs
        std::lock_guard lock(m_mutex);
        ++m_refused[ours.error.substr(ours.error.rfind('\n', ours.error.size() - 2) + 1)];
        return;
    }
    const auto start = Clock::now();
    const Outcome ref = reference.compile(program, config);
    const auto took = Clock::now() - start;
    const bool slow = took > std::chrono::seconds(5);
    if (ref.timed_out) {
        const long n = m_timed_out++;
        if (n < 20) {
            fs::create_directories(m_args.out / "timed_out");
            (void)write_file_replace(m_args.out / "timed_out" / (std::to_string(n) + ".py"), program);
            (void)write_file_replace(m_args.out / "timed_out" / (std::to_string(n) + ".txt"), describe(config) + "\n");
        }
        return;
    }
    ++m_compared;
    m_reference_ms += long(std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    const long bucket = m_reference_times[slow ? 3 : took > std::chrono::seconds(1) ? 2
                                               : took > std::chrono::milliseconds(100) ? 1 : 0]++;
    if (slow && bucket < 20) { // the first 20 slow programs are kept, to see what costs the reference its time
        fs::create_directories(m_args.out / "slow");
        (void)write_file_replace(m_args.out / "slow" / (std::to_string(bucket) + ".py"), program);
    }
    const std::string cls = difference_class(ours, ref);
    if (!cls.empty())
        record(cls, program, origin, config, reference, slow);
}

std::string slug(const std::string& text) {
    std::string s;
    for (char c : text)
        s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return s;
}

void Campaign::record(const std::string& cls, const std::string& program, const std::string& origin,
                      const Config& config, const ReferenceCompiler& reference, bool reference_slow) {
    const std::string key = std::string(config.target == compiler::Target::micropython ? "mp" : "cp") + " " + cls;
    std::size_t number = 0;
    {
        std::lock_guard lock(m_mutex);
        ClassRecord& rec = m_classes[key];
        number = std::size_t(rec.count++);
        if (number >= 5)
            return; // counted; five examples per class are enough to see it
    }
    // Shrinking runs the reference up to 1,500 times: not for a program it took seconds over (a big-int
    // fold of millions of bits takes it minutes), and never past 10 minutes or a stop request.
    const auto deadline = Clock::now() + std::chrono::minutes(10);
    auto same_class = [&](const std::string& candidate) {
        if (g_stop || Clock::now() > deadline)
            return false;
        return difference_class(compile_ours(candidate, config), reference.compile(candidate, config)) == cls;
    };
    const bool shrinkable = m_args.shrink && !g_stop && !reference_slow;
    const std::string minimal = shrinkable ? shrink(program, same_class, 1500) : program;
    const fs::path dir = m_args.out / slug(key);
    fs::create_directories(dir);
    const std::string stem = std::to_string(number);
    (void)write_file_replace(dir / (stem + ".py"), minimal);
    (void)write_file_replace(dir / (stem + ".orig.py"), program);
    const Outcome ours = compile_ours(minimal, config), ref = reference.compile(minimal, config);
    (void)write_file_replace(dir / (stem + ".txt"), describe(config) + "\n" + origin + "\nours: " +
                                                        (ours.compiled ? "compiled\n" : ours.error) + "reference: " +
                                                        (ref.compiled ? "compiled\n" : ref.error));
    std::lock_guard lock(m_mutex);
    m_classes[key].examples.push_back(stem);
    std::cerr << "difference [" << key << "] " << (dir / (stem + ".py")).string() << " (" << minimal.size()
              << " bytes)\n";
}

void Campaign::watchdog() {
    while (!m_finished) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        const auto now = Clock::now().time_since_epoch().count();
        for (std::size_t w = 0; w < m_started.size(); ++w) {
            const auto started = m_started[w].load();
            if (started != 0 && now - started > std::chrono::nanoseconds(std::chrono::seconds(20)).count()) {
                (void)write_file_replace(m_args.out / "hang.py", m_current[w]);
                std::cerr << "our compiler ran for more than 20 s on " << (m_args.out / "hang.py").string() << "\n";
                _exit(3);
            }
        }
    }
}

void Campaign::print_report(std::ostream& out) const {
    out << "programs: " << m_done << " (" << std::min(m_done.load(), m_args.generated) << " generated, "
        << std::max(0L, m_done.load() - m_args.generated) << " mutated); comparisons: " << m_compared << "\n";
    out << "reference time: " << m_reference_ms / 1000 << " s in all; comparisons under 0.1 s: " << m_reference_times[0]
        << ", 0.1-1 s: " << m_reference_times[1] << ", 1-5 s: " << m_reference_times[2]
        << ", over 5 s: " << m_reference_times[3] << "\n";
    out << "reference timed out (not compared; see " << (m_args.out / "timed_out").string() << "): " << m_timed_out
        << "\n";
    // "known: ..." classes are documented limits (see outcome.cpp), listed with the others but not counted
    const auto known = std::count_if(m_classes.begin(), m_classes.end(),
                                     [](const auto& entry) { return entry.first.find(" known: ") != std::string::npos; });
    out << "difference classes: " << long(m_classes.size()) - known << " (and known, documented classes: " << known
        << ")\n";
    long refused = 0;
    for (const auto& [text, count] : m_refused)
        refused += count;
    if (refused > 0)
        out << "refused (native code not implemented yet, not compared): " << refused << "\n";
    for (const auto& [text, count] : m_refused)
        out << "  " << count << "\t" << text;
    for (const auto& [key, rec] : m_classes) {
        out << "  " << rec.count << "\t" << key << "\t" << (m_args.out / slug(key)).string() << "/";
        for (const auto& e : rec.examples)
            out << " " << e << ".py";
        out << "\n";
    }
}

int Campaign::run() {
    if (m_mp.empty() && m_cp.empty()) {
        std::cerr << "mpyship_difffuzz: give --mp and/or --cp (paths to the official mpy-cross binaries)\n";
        return 2;
    }
    if (m_args.mutated > 0 && m_corpus.empty()) {
        std::cerr << "mpyship_difffuzz: --mutated needs --corpus DIR with .py files\n";
        return 2;
    }
    const auto start = Clock::now();
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    std::thread dog([this] { watchdog(); });
    std::vector<std::thread> workers;
    for (int j = 0; j < m_args.jobs; ++j)
        workers.emplace_back([this, j] { worker(j); });
    for (auto& t : workers)
        t.join();
    m_finished = true;
    dog.join();
    print_report(std::cout);
    std::cout << "seconds: " << std::chrono::duration<double>(Clock::now() - start).count() << "\n";
    std::ofstream report(m_args.out / "report.txt");
    print_report(report);
    return m_classes.empty() ? 0 : 1;
}

bool parse(int argc, char** argv, Arguments& args) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--mp") args.mp = value();
        else if (a == "--cp") args.cp = value();
        else if (a == "--out") args.out = value();
        else if (a == "--corpus") args.corpus_dirs.emplace_back(value());
        else if (a == "--generated") args.generated = std::stol(value());
        else if (a == "--mutated") args.mutated = std::stol(value());
        else if (a == "--seed") args.seed = std::stoull(value());
        else if (a == "--jobs") args.jobs = std::max(1, std::stoi(value()));
        else if (a == "--no-shrink") args.shrink = false;
        else if (a == "--default-config") args.default_config_only = true;
        else if (a == "--march") args.march = value();
        else if (a == "--native") args.native_share = std::stoi(value());
        else {
            std::cerr << "mpyship_difffuzz: unknown option " << a << " (see the comment at the top of "
                      << "tests/parity/difffuzz_main.cpp)\n";
            return false;
        }
    }
    return true;
}

} // namespace
} // namespace mpyship::parity

int main(int argc, char** argv) {
    using namespace mpyship::parity;
    Arguments args;
    try {
        if (!parse(argc, argv, args))
            return 2;
        std::filesystem::create_directories(args.out);
        return Campaign(args).run();
    } catch (const std::exception& e) {
        std::cerr << "mpyship_difffuzz: " << e.what() << "\n";
        return 2;
    }
}
