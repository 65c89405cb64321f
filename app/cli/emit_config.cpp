#include "app/cli/emit_config.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>

#include "core/data/json_parse.hpp"
#include "core/live/models_config.hpp"

namespace automix::cli {

void emit_routing_config(const Args& args, const data::Dataset& ds, const data::View& train_rows,
                         const std::string& method, const nlohmann::json& params, const routing::Config& cfg,
                         const std::string& out, const std::string& trained_on) {
    nlohmann::json base;
    if (auto b = args.get("config-base")) {
        std::ifstream in(*b);
        if (!in) throw UsageError("--config-base: cannot open " + *b);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        base = data::json::parse_limited_or_discarded(text);
        if (base.is_discarded()) throw UsageError("--config-base: " + *b + " is not JSON");
    }
    try {
        const auto config = live::routing_models_config(base, ds, train_rows, method, params, cfg);
        write_output(out, config.dump(2) + "\n");
    } catch (const live::ConfigError& e) {
        throw UsageError(std::string("--emit-config: ") + e.what());
    }
    std::fprintf(stderr, "wrote %s: %s with %s, trained on %s\n", out.c_str(), method.c_str(), params.dump().c_str(),
                 trained_on.c_str());
}

}  // namespace automix::cli
