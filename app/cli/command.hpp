#pragma once
// Subcommands of the `automix` CLI. Each app/cli/cmd_*.cpp defines one and registers
// it with a static AUTOMIX_COMMAND(...) line; cli_main.cpp dispatches by name.
#include <functional>
#include <string>
#include <vector>

namespace automix::cli {

struct Command {
    std::string name;
    std::string summary;  // one line for `automix --help`
    // args excludes the program and subcommand names. Returns the process exit status.
    std::function<int(const std::vector<std::string>& args)> run;
};

std::vector<Command>& commands();

struct Registration {
    explicit Registration(Command c) { commands().push_back(std::move(c)); }
};

}  // namespace automix::cli

#define AUTOMIX_CONCAT_INNER(a, b) a##b
#define AUTOMIX_CONCAT(a, b) AUTOMIX_CONCAT_INNER(a, b)
#define AUTOMIX_COMMAND(...) static ::automix::cli::Registration AUTOMIX_CONCAT(automix_command_, __LINE__)(__VA_ARGS__)
