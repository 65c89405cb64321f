// Load benchmark: a >= 300 MB release-format file (50k rows, ~5 KB contexts, 32 verifier
// samples per row) loaded by our reader, and the same bytes through nlohmann's SAX parser
// and simdjson (when installed) as the alternatives we chose between.
//
//   bench_load                    generate the files once (in $AUTOMIX_BENCH_DIR or /tmp), run all
//   bench_load --rss FILE         load FILE once in this process and print peak RSS figures
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <memory>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/data/json_scan.hpp"
#include "core/data/line_source.hpp"
#include "core/data/reader.hpp"

#if AUTOMIX_HAVE_SIMDJSON
#include <simdjson.h>
#endif

namespace fs = std::filesystem;
using namespace automix::data;

namespace {

constexpr int kRows = 50'000;

std::string bench_dir() {
    const char* d = std::getenv("AUTOMIX_BENCH_DIR");
    return d && *d ? d : "/tmp/automix-bench";
}
std::string plain_path() {
    return bench_dir() + "/release-50k.jsonl";
}
std::string gz_path() {
    return bench_dir() + "/release-50k.jsonl.gz";
}

// Our own quick synthetic writer: plausible words, escapes now and then, non-ASCII now and then.
void generate(const std::string& path, const std::string& gz) {
    fs::create_directories(bench_dir());
    std::mt19937_64 rng(42);
    const std::vector<std::string> syllables = {"ka", "lo", "mir", "ven", "tor", "qua", "sel", "bri", "no",  "zel",
                                                "pi", "gu", "wim", "yor", "ren", "fa",  "jo",  "mar", "tas", "hel"};
    const std::vector<std::string> verdicts = {
        " Stated.\\nThe AI generated answer is correct.", "The AI generated answer is incorrect.",
        "The AI Generated Answer is CORRECT", " Implied otherwise.\\nThe AI generated answer is incorrect.",
        " Decision: Cannot decide."};
    const char* datasets[] = {"cnli", "coqa", "narrative_qa", "qasper", "quality"};
    auto word = [&](std::string& out) {
        int n = 1 + static_cast<int>(rng() % 3);
        for (int i = 0; i < n; ++i) out += syllables[rng() % syllables.size()];
    };
    std::FILE* f = std::fopen(path.c_str(), "wb");
    gzFile g = gzopen(gz.c_str(), "wb1");
    std::string line, ctx;
    for (int r = 0; r < kRows; ++r) {
        ctx.clear();
        std::size_t target = 4200 + rng() % 2000;
        while (ctx.size() < target) {
            word(ctx);
            switch (rng() % 40) {
            case 0: ctx += ".\\n"; break;
            case 1: ctx += " \\\"quoted\\\""; break;
            case 2: ctx += " caf\xC3\xA9"; break;
            default: ctx += ' ';
            }
        }
        char score_slm[32], score_llm[32], pver[32];
        int correct = static_cast<int>(rng() % 33);
        std::snprintf(pver, sizeof pver, "%.17g", correct / 32.0);
        std::snprintf(score_slm, sizeof score_slm, "%.17g", static_cast<double>(rng() % 1000) / 999.0);
        std::snprintf(score_llm, sizeof score_llm, "%.17g", static_cast<double>(rng() % 1000) / 999.0);
        line.clear();
        line += "{\"id\": \"bench-" + std::to_string(r) + "\", \"pid\": \"p" + std::to_string(r / 4) +
                "\", \"base_ctx\": \"" + ctx + "\", \"question\": \"What does ";
        word(line);
        line += " mean?\", \"output\": \"";
        word(line);
        line += "\", \"dataset\": \"" + std::string(datasets[r % 5]) + "\", \"split\": \"" + (r % 3 ? "train" : "val") +
                "\", \"llama13b_pred_ans\": \"";
        word(line);
        line += "\", \"llama70b_pred_ans\": \"";
        word(line);
        line += "\", \"llama13b_ver\": [";
        for (int k = 0; k < 32; ++k) {
            if (k) line += ", ";
            line += "\"" + verdicts[rng() % verdicts.size()] + "\"";
        }
        line += std::string("], \"p_ver_13b\": ") + pver + ", \"llama13b_f1\": " + score_slm +
                ", \"llama70b_f1\": " + score_llm + "}\n";
        std::fwrite(line.data(), 1, line.size(), f);
        gzwrite(g, line.data(), static_cast<unsigned>(line.size()));
    }
    std::fclose(f);
    gzclose(g);
}

void ensure_files() {
    if (fs::exists(plain_path()) && fs::exists(gz_path()) && fs::file_size(plain_path()) >= 300'000'000) return;
    std::fprintf(stderr, "generating %s (+ .gz) ...\n", plain_path().c_str());
    generate(plain_path(), gz_path());
}

std::uint64_t uncompressed_size() {
    return fs::file_size(plain_path());
}

// Freeing what was built is not loading: it is excluded from the timings of every variant.
template <class T>
void release_untimed(benchmark::State& state, std::unique_ptr<T>& p) {
    state.PauseTiming();
    p.reset();
    state.ResumeTiming();
}

void BM_ReaderPlain(benchmark::State& state) {
    for (auto _ : state) {
        auto r = std::make_unique<LoadResult>(load_file(plain_path()));
        if (r->dataset.size() != static_cast<std::size_t>(kRows)) state.SkipWithError("wrong row count");
        benchmark::DoNotOptimize(r->dataset.id.size());
        release_untimed(state, r);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * uncompressed_size()));
}

void BM_ReaderGzip(benchmark::State& state) {
    for (auto _ : state) {
        auto r = std::make_unique<LoadResult>(load_file(gz_path()));
        if (r->dataset.size() != static_cast<std::size_t>(kRows)) state.SkipWithError("wrong row count");
        benchmark::DoNotOptimize(r->dataset.id.size());
        release_untimed(state, r);
    }
    // Uncompressed bytes, so the figure compares with the plain one.
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * uncompressed_size()));
}

// Only the line splitting and file reading: the floor under every variant.
void BM_LinesOnly(benchmark::State& state) {
    for (auto _ : state) {
        LineSource src(plain_path());
        Line line;
        std::size_t n = 0;
        while (src.next(line)) n += line.text.size();
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * uncompressed_size()));
}

// nlohmann SAX: keeps strings (as a reader must), cannot skip the context without decoding it.
struct KeepStrings : nlohmann::json_sax<nlohmann::json> {
    std::vector<std::string> strings;
    std::size_t numbers = 0;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return ++numbers, true; }
    bool number_unsigned(number_unsigned_t) override { return ++numbers, true; }
    bool number_float(number_float_t, const string_t&) override { return ++numbers, true; }
    bool string(string_t& s) override {
        if (s.size() < 4096) strings.push_back(std::move(s));  // contexts are dropped, as the lazy reader does
        return true;
    }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

void BM_NlohmannSax(benchmark::State& state) {
    for (auto _ : state) {
        LineSource src(plain_path());
        Line line;
        auto sax = std::make_unique<KeepStrings>();
        while (src.next(line)) nlohmann::json::sax_parse(line.text.begin(), line.text.end(), sax.get());
        benchmark::DoNotOptimize(sax->strings.data());
        release_untimed(state, sax);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * uncompressed_size()));
}

#if AUTOMIX_HAVE_SIMDJSON
// simdjson on-demand: the same fields decoded, the context only located (raw token).
void BM_Simdjson(benchmark::State& state) {
    for (auto _ : state) {
        LineSource src(plain_path());
        Line line;
        simdjson::ondemand::parser parser;
        std::vector<char> padded;
        auto kept = std::make_unique<std::vector<std::string>>();
        auto& strings = *kept;
        std::vector<double> numbers;
        std::size_t context_bytes = 0;
        while (src.next(line)) {
            padded.resize(line.text.size() + simdjson::SIMDJSON_PADDING);
            std::memcpy(padded.data(), line.text.data(), line.text.size());
            auto doc = parser.iterate(padded.data(), line.text.size(), padded.size());
            for (auto field : doc.get_object()) {
                std::string_view key = field.unescaped_key().value();
                auto value = field.value();
                if (key == "base_ctx") {
                    context_bytes += value.raw_json_token().value().size();
                } else if (key == "llama13b_ver") {
                    for (auto s : value.get_array()) strings.emplace_back(std::string_view(s.get_string().value()));
                } else if (key == "p_ver_13b" || key == "llama13b_f1" || key == "llama70b_f1") {
                    numbers.push_back(value.get_double().value());
                } else {
                    strings.emplace_back(std::string_view(value.get_string().value()));
                }
            }
        }
        benchmark::DoNotOptimize(strings.data());
        benchmark::DoNotOptimize(context_bytes);
        release_untimed(state, kept);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * uncompressed_size()));
}
#endif

std::size_t proc_status_kb(const char* key) {
    std::ifstream f("/proc/self/status");
    std::string k;
    while (f >> k) {
        if (k == key) {
            std::size_t v = 0;
            f >> v;
            return v;
        }
        std::getline(f, k);
    }
    return 0;
}

// Peak RSS of one load, in this (fresh) process.
int rss_mode(const std::string& path) {
    const std::size_t rss_before = proc_status_kb("VmRSS:");
    // In-use heap = small-chunk arena + mmap'd big blocks (column vectors are big blocks).
    auto heap_in_use = [] {
        struct mallinfo2 m = mallinfo2();
        return m.uordblks + m.hblkhd;
    };
    const std::size_t heap_before = heap_in_use();
    LoadResult r = load_file(path);
    const std::size_t heap_after = heap_in_use();
    const std::size_t peak = proc_status_kb("VmHWM:");
    const std::size_t rss_after = proc_status_kb("VmRSS:");
    const std::size_t arena = mallinfo2().arena;
    // Bytes of the non-context fields as they are in the file (their JSON text).
    std::uint64_t file_bytes = fs::file_size(path);
    std::uint64_t context_bytes = 0;
    if (auto* store = dynamic_cast<const automix::data::ContextStore*>(r.dataset.contexts.get()))
        for (RowIndex i = 0; i < r.dataset.size(); ++i)
            if (store->has_context(i)) context_bytes += r.dataset.context(i).size();
    std::printf("file %s: %zu rows\n", path.c_str(), r.dataset.size());
    std::printf("  RSS before load        %8.1f MB\n", rss_before / 1024.0);
    std::printf("  peak RSS (VmHWM)       %8.1f MB\n", peak / 1024.0);
    std::printf("  RSS after load         %8.1f MB (malloc arena %.1f MB)\n", rss_after / 1024.0, arena / 1048576.0);
    std::printf("  peak RSS - before      %8.1f MB\n", (peak - rss_before) / 1024.0);
    std::printf("  heap held by Dataset   %8.1f MB  (in-use heap growth, reserved capacity included)\n",
                (heap_after - heap_before) / 1048576.0);
    const automix::data::MemoryUse use = automix::data::memory_use(r.dataset);
    std::printf("  held, by kind: text %.1f MB, numbers %.1f MB, sample index %.1f MB, context index %.1f MB\n",
                use.text / 1048576.0, use.numbers / 1048576.0, use.samples / 1048576.0, use.contexts / 1048576.0);
    std::printf("  ratio peak growth / heap held            %.3f\n",
                static_cast<double>(peak - rss_before) * 1024.0 / static_cast<double>(heap_after - heap_before));
    // Issue 16's target: peak ≤ the non-sample, non-context columns + 10 %.
    std::printf("  ratio peak growth / text+number columns  %.3f\n",
                static_cast<double>(peak - rss_before) * 1024.0 / static_cast<double>(use.columns()));
    std::printf("  file bytes %.1f MB, of which decoded context text %.1f MB (not in RAM)\n", file_bytes / 1048576.0,
                context_bytes / 1048576.0);
    return 0;
}

}  // namespace

BENCHMARK(BM_LinesOnly)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ReaderPlain)->Unit(benchmark::kMillisecond)->Iterations(3);
// Two threads (inflate + parse): wall time is the meaningful figure.
BENCHMARK(BM_ReaderGzip)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();
BENCHMARK(BM_NlohmannSax)->Unit(benchmark::kMillisecond)->Iterations(2);
#if AUTOMIX_HAVE_SIMDJSON
BENCHMARK(BM_Simdjson)->Unit(benchmark::kMillisecond)->Iterations(3);
#endif

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--rss") == 0) return rss_mode(argv[2]);
    if (argc == 2 && std::strcmp(argv[1], "--generate") == 0) {
        ensure_files();
        return 0;
    }
    ensure_files();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
