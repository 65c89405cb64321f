// `automix eval --session FILE [--data FILE] [--ignore-hash] [--json OUT] [--quiet]`: loads the
// session's data file (checking its SHA-256), trains and routes it like the explorer (manual
// parameters kept) and prints the figures of the session's scope: the numbers of the GUI's
// status bar.
#include "app/cli/eval_session.hpp"

#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "app/cli/args.hpp"
#include "core/data/reader.hpp"
#include "core/demo/generator.hpp"
#include "core/session/session.hpp"
#include "core/session/session_routing.hpp"

namespace automix::cli {

namespace {

const char* const kSessionUsage =
    "usage: automix eval --session FILE [--data FILE] [--ignore-hash] [--json OUT] [--quiet]\n\n"
    "Reproduces the routing of a session saved by automix-explorer (File > Save Session):\n"
    "each dataset trained on its train split, the parameters set by hand kept, the figures of\n"
    "the session's dataset and split printed (the explorer's status bar).\n\n"
    "  --session FILE  the *.automix-session file\n"
    "  --data FILE     the data file, when it moved since the session was saved\n"
    "  --ignore-hash   route the data even when its SHA-256 differs from the session's\n"
    "  --json OUT      write the routing and figures as JSON ('-' = stdout)\n"
    "  --quiet         do not print the summary\n";

// The demo compiled into the explorer is the generator's output for these options
// (resources/demo/README.md); the CLI makes it again and the hash check confirms it.
std::string write_demo(const std::string& name) {
    demo::GeneratorOptions options;
    options.seed = 1;
    if (name == "demo.jsonl.gz") {
        options.rows = 10000;
    } else if (name == "demo-3model.jsonl.gz") {
        options.rows = 8000;
        options.models = 3;
        options.format = demo::OutputFormat::Native;
    } else {
        throw UsageError("the session names an unknown demo data set '" + name + "'");
    }
    const auto path = std::filesystem::temp_directory_path() /
                      ("automix-session-" + std::to_string(::getpid()) + "-" + name);
    demo::generate_file(options, path.string());
    return path.string();
}

}  // namespace

bool wants_session_eval(const std::vector<std::string>& argv) {
    for (const auto& a : argv)
        if (a == "--session" || a.rfind("--session=", 0) == 0) return true;
    return false;
}

int run_session_eval(const std::vector<std::string>& argv) {
    const Args args(argv, {"session", "data", "json"}, {"help", "ignore-hash", "quiet"});
    if (args.has("help")) {
        std::fputs(kSessionUsage, stdout);
        return 0;
    }
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    const std::string session_path = args.require("session");
    session::Session s;
    try {
        s = session::read_session(session_path);
    } catch (const session::SessionError& e) {
        throw UsageError(e.what());
    }

    std::string data_path;
    std::string temporary;
    if (auto d = args.get("data")) {
        data_path = *d;
    } else if (s.is_demo()) {
        temporary = write_demo(s.data_path.substr(std::string(session::kDemoPrefix).size()));
        data_path = temporary;
    } else if (auto found = session::locate_data(s, session_path)) {
        data_path = *found;
    } else {
        throw UsageError(session_path + ": the data file " + s.data_path +
                         " is not there any more (nor next to the session); pass its new place with --data FILE");
    }

    data::LoadOptions load_options;
    load_options.content_sha256 = true;
    data::LoadResult loaded;
    try {
        loaded = data::load_file(data_path, load_options);
    } catch (...) {
        if (!temporary.empty()) std::filesystem::remove(temporary);
        throw;
    }
    if (!temporary.empty()) std::filesystem::remove(temporary);
    if (!s.data_sha256.empty() && loaded.content_sha256 != s.data_sha256) {
        const std::string what = data_path + " changed since the session was saved (SHA-256 " + s.data_sha256 +
                                 " then, " + loaded.content_sha256 + " now)";
        if (!args.has("ignore-hash")) throw UsageError(what + "; pass --ignore-hash to route it anyway");
        std::fprintf(stderr, "warning: %s\n", terminal_safe(what).c_str());
    }
    const data::Dataset& ds = loaded.dataset;
    session::SessionRouting r;
    try {
        r = session::route_session(ds, s);
    } catch (const std::invalid_argument& e) {
        throw UsageError(session_path + ": " + e.what());
    }
    for (const auto& d : r.datasets)
        if (!d.error.empty())
            std::fprintf(stderr, "warning: %s: %s\n", terminal_safe(d.dataset).c_str(), terminal_safe(d.error).c_str());

    nlohmann::json j = session::routing_to_json(r);
    j["session"] = session_path;
    j["data"] = {{"path", data_path}, {"sha256", loaded.content_sha256}};
    j["scope"] = {{"dataset", s.scope_dataset.empty() ? "all" : s.scope_dataset}, {"split", s.split}};
    if (!args.has("quiet")) {
        std::FILE* out = args.get_or("json", "") == "-" ? stderr : stdout;
        std::fprintf(out, "%s on %s · %s · %s · costs %g / %g, verifier %g\n",
                     r.method.empty() ? "(no routing)" : terminal_safe(r.method).c_str(),
                     terminal_safe(s.is_demo() ? s.data_path : data_path).c_str(),
                     terminal_safe(s.scope_dataset.empty() ? "all datasets" : s.scope_dataset).c_str(), s.split.c_str(),
                     s.small_cost, s.large_cost, s.verifier_cost);
        for (const auto& d : r.datasets)
            std::fprintf(out, "  %-14s %s %s\n", terminal_safe(d.dataset).c_str(),
                         d.error.empty() ? d.params.dump().c_str() : ("failed: " + terminal_safe(d.error)).c_str(),
                         d.manual ? "(set by hand)" : "(trained)");
        if (r.valid)  // the status bar's fields, as it prints them
            std::fprintf(out, "%zu rows: %s\n", r.metrics.n,
                         eval::metrics_text(r.metrics, [](const eval::MetricField& f) { return f.headline; }, "  ")
                             .c_str());
        else
            std::fprintf(out, "%zu rows: not routed\n", r.scope.size());
    }
    if (auto out = args.get("json")) write_output(*out, j.dump(2) + "\n");
    return 0;
}

}  // namespace automix::cli
