// `automix`: the headless CLI. Subcommands live in app/cli/cmd_*.cpp.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/command.hpp"

namespace automix::cli {
std::vector<Command>& commands() {
    static std::vector<Command> all;
    return all;
}
}  // namespace automix::cli

namespace {

void print_help() {
    std::printf("automix %s - AutoMix routing between language models (arXiv 2310.12963)\n\n"
                "usage: automix <command> [options]\n       automix <command> --help\n\n"
                "commands:\n",
                AUTOMIX_VERSION);
    auto cmds = automix::cli::commands();
    std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.name < b.name; });
    for (const auto& c : cmds) std::printf("  %-14s %s\n", c.name.c_str(), c.summary.c_str());
    std::printf("\noptions:\n  --help       this text\n  --version    print the version\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_help();
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::printf("automix %s\n", AUTOMIX_VERSION);
        return 0;
    }
    for (const auto& c : automix::cli::commands()) {
        if (c.name != args[0]) continue;
        try {
            const int rc = c.run(std::vector<std::string>(args.begin() + 1, args.end()));
            // A table printed to a full device or a closed pipe is lost output: say so.
            errno = 0;
            if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
                std::fprintf(stderr, "automix %s: error: cannot write standard output: %s\n", c.name.c_str(),
                             std::strerror(errno ? errno : EIO));
                return 1;
            }
            return rc;
        } catch (const automix::cli::UsageError& e) {
            std::fprintf(stderr, "automix %s: %s (see automix %s --help)\n", c.name.c_str(),
                         automix::cli::terminal_safe(e.what()).c_str(), c.name.c_str());
            return 2;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "automix %s: error: %s\n", c.name.c_str(),
                         automix::cli::terminal_safe(e.what()).c_str());
            return 1;
        }
    }
    std::fprintf(stderr, "automix: unknown command '%s' (see automix --help)\n", args[0].c_str());
    return 2;
}
