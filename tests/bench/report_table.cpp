// Turns the JSON files of Google Benchmark runs into the one Markdown table scripts/bench
// prints (and the README shows): executable, benchmark, real and CPU time, iterations and
// the counters each benchmark reports. With repetitions, only their mean is listed.
//
//   bench_report_table DIR NAME...   reads DIR/NAME.json for every NAME
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <sys/utsname.h>

#include <nlohmann/json.hpp>

namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(line.find_first_not_of(" \t", colon + 1));
        }
    return "unknown CPU";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: bench_report_table DIR NAME...\n";
        return 2;
    }
    const std::string dir = argv[1];
    const std::set<std::string> fixed = {
        "name",           "run_name",       "run_type", "repetitions", "repetition_index", "threads",
        "iterations",     "real_time",      "cpu_time", "time_unit",   "family_index",     "per_family_instance_index",
        "aggregate_name", "aggregate_unit", "label"};
    std::ostringstream table;
    nlohmann::json context;
    for (int a = 2; a < argc; ++a) {
        const std::string name = argv[a];
        std::ifstream in(dir + "/" + name + ".json");
        std::stringstream text;
        text << in.rdbuf();
        nlohmann::json data;
        try {
            // Google Benchmark writes NaN for undefined aggregates (the cv of a zero counter).
            static const std::regex not_a_number(R"((:\s*)-?(NaN|nan|Infinity|inf)\b)");
            data = nlohmann::json::parse(std::regex_replace(text.str(), not_a_number, "$1null"));
        } catch (const std::exception& e) {
            std::cerr << dir << "/" << name << ".json: " << e.what() << "\n";
            return 1;
        }
        if (context.is_null()) context = data.value("context", nlohmann::json::object());
        std::set<std::string> repeated;
        for (const auto& b : data["benchmarks"])
            if (b.value("run_type", "") == "aggregate") repeated.insert(b.value("run_name", ""));
        for (const auto& b : data["benchmarks"]) {
            const std::string type = b.value("run_type", "");
            if (type == "aggregate" && b.value("aggregate_name", "") != "mean") continue;
            if (type == "iteration" && repeated.count(b.value("run_name", ""))) continue;
            std::string counters;
            for (auto it = b.begin(); it != b.end(); ++it) {
                if (fixed.count(it.key())) continue;
                if (!counters.empty()) counters += ", ";
                counters += it.key() + "=" + (it->is_number() ? number(it->get<double>()) : it->dump());
            }
            const std::string label = b.value("label", "");
            if (!label.empty()) counters = counters.empty() ? label : label + "; " + counters;
            const std::string unit = b.value("time_unit", "");
            table << "| " << name << " | " << b.value("name", "") << " | " << number(b.value("real_time", 0.0)) << ' '
                  << unit << " | " << number(b.value("cpu_time", 0.0)) << ' ' << unit << " | "
                  << (b.contains("iterations") ? b["iterations"].dump() : std::string()) << " | " << counters << " |\n";
        }
    }
    utsname u{};
    uname(&u);
    std::cout << "Machine: " << cpu_model() << ", "
              << context.value("num_cpus", static_cast<int>(std::thread::hardware_concurrency())) << " cores, "
              << u.sysname << ' ' << u.release << "; " << context.value("date", "")
              << "; Release build, Google Benchmark\n"
              << "| executable | benchmark | real time | CPU time | iterations | counters |\n"
              << "|---|---|---|---|---|---|\n"
              << table.str();
    return 0;
}
