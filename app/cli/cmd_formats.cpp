// `automix formats` lists the data file formats (core/data/format.hpp); `automix convert`
// reads a file in any of them and writes it in any that can be written.
#include <cstdio>
#include <string>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "core/data/format.hpp"
#include "core/data/reader.hpp"
#include "core/data/writer.hpp"

namespace {

int run_formats(const std::vector<std::string>& argv) {
    const automix::cli::Args args(argv, {}, {"help"});
    if (args.has("help")) {
        std::fputs("usage: automix formats\n\nLists the data file formats every --data option reads (detected from the "
                   "content;\nthe extension breaks ties), and which of them `automix convert` can write.\n",
                   stdout);
        return 0;
    }
    if (!args.positional().empty())
        throw automix::cli::UsageError("unexpected argument '" + args.positional()[0] + "'");
    for (const auto& f : automix::data::formats()) {
        std::string extensions;
        for (const auto& e : f.extensions) extensions += (extensions.empty() ? "" : " ") + e;
        std::printf("%-8s %-5s %-14s %s\n", f.name.c_str(), f.write ? "rw" : "r", extensions.c_str(),
                    f.description.c_str());
    }
    std::printf("(every format may also be gzip-compressed: FILE.gz)\n");
    return 0;
}

int run_convert(const std::vector<std::string>& argv) {
    using automix::cli::UsageError;
    const automix::cli::Args args(argv, {"data", "out", "format"}, {"help", "skip-bad-lines"});
    if (args.has("help")) {
        std::printf("usage: automix convert --data FILE --out FILE --format F [--skip-bad-lines]\n\n"
                    "Reads a data file in any format and writes its rows in format F (one of those marked\n"
                    "'rw' by `automix formats`: %s). OUT.gz is gzip-compressed; the file is written\n"
                    "whole or not at all.\n",
                    automix::data::format_names().c_str());
        return 0;
    }
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    const std::string format = args.require("format");
    const auto* f = automix::data::find_format(format);
    if (!f) throw UsageError("option --format: expected one of " + automix::data::format_names() + ", got '" + format + "'");
    if (!f->write) throw UsageError("option --format: the " + format + " format can be read but not written");
    automix::data::LoadOptions options;
    options.skip_bad_lines = args.has("skip-bad-lines");
    const automix::data::LoadResult loaded = automix::data::load_file(args.require("data"), options);
    using automix::cli::terminal_safe;
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());
    for (const auto& p : loaded.problems) std::fprintf(stderr, "skipped: %s\n", terminal_safe(p.to_string()).c_str());
    automix::data::save_file(loaded.dataset, loaded.dataset.all_rows(), args.require("out"), format);
    std::fprintf(stderr, "wrote %zu rows (%s) as %s\n", loaded.dataset.size(), loaded.dataset.format.c_str(),
                 format.c_str());
    return 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{"formats", "list the data file formats (read and write)", run_formats});
AUTOMIX_COMMAND(automix::cli::Command{"convert", "rewrite a data file in another format (e.g. csv to native)",
                                      run_convert});
