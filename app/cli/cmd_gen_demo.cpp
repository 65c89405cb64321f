// `automix gen-demo`: writes the deterministic synthetic demo dataset (core/demo).
#include <algorithm>
#include <cstdio>
#include <string>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "core/demo/generator.hpp"

namespace {

const char* const kUsage = "usage: automix gen-demo --out FILE [--seed S] [--rows N] [--format release|native]\n"
                           "                        [--models N] [--context-bytes B] [--context-chars C]\n\n"
                           "Writes synthetic AutoMix data for the five release datasets (cnli, coqa, narrative_qa,\n"
                           "qasper, quality). The same options always give the same bytes.\n\n"
                           "  --out FILE           output path; FILE.gz is gzip-compressed; '-' is stdout\n"
                           "  --seed S             random seed (default 1)\n"
                           "  --rows N             number of rows, split like the public release (default 5000)\n"
                           "  --format F           release (the public JSONL schema, default) or native\n"
                           "                       (automix-native-v1 with a manifest line)\n"
                           "  --models N           2 (small, large; default) to 100; more than 2 need --format native\n"
                           "  --context-bytes B    pad every context to at least B bytes (for load benchmarks)\n"
                           "  --context-chars C    cut every context to at most C characters, at a word's end\n"
                           "                       (release-shaped benchmark files: about 300)\n";

int run_gen_demo(const std::vector<std::string>& argv) {
    using automix::cli::Args;
    using automix::cli::UsageError;
    const Args args(argv, {"out", "seed", "rows", "format", "models", "context-bytes", "context-chars"}, {"help"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");

    automix::demo::GeneratorOptions options;
    const long long seed = args.get_int("seed", 1);
    const long long rows = args.get_int("rows", 5000);
    const long long models = args.get_int("models", 2);
    const long long context_bytes = args.get_int("context-bytes", 0);
    if (seed < 0) throw UsageError("option --seed: expected a non-negative integer");
    if (rows < 1) throw UsageError("option --rows: expected a positive integer");
    if (context_bytes < 0) throw UsageError("option --context-bytes: expected a non-negative integer");
    const long long context_chars = args.get_int("context-chars", 0);
    if (context_chars < 0) throw UsageError("option --context-chars: expected a non-negative integer");
    options.seed = static_cast<std::uint64_t>(seed);
    options.rows = static_cast<std::size_t>(rows);
    options.models = static_cast<int>(std::clamp(models, -1LL, 1000000LL));  // range checked below
    options.min_context_bytes = static_cast<std::size_t>(context_bytes);
    options.max_context_chars = static_cast<std::size_t>(context_chars);
    const std::string format = args.get_or("format", "release");
    if (format == "release")
        options.format = automix::demo::OutputFormat::Release;
    else if (format == "native")
        options.format = automix::demo::OutputFormat::Native;
    else
        throw UsageError("option --format: expected 'release' or 'native', got '" + format + "'");
    if (const std::string problem = automix::demo::check_options(options); !problem.empty()) throw UsageError(problem);

    automix::demo::generate_file(options, args.require("out"));
    return 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{
    "gen-demo", "write the deterministic synthetic demo dataset (release or native format)", run_gen_demo});
