#pragma once
// --emit-config of `automix eval` and `automix calibrate`: the models config of one trained
// routing (live::routing_models_config), on top of --config-base when given.
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli/args.hpp"
#include "core/data/dataset.hpp"
#include "core/routing/method.hpp"

namespace automix::cli {

// Writes the config to `out` and says so on stderr ("wrote OUT: METHOD with PARAMS, trained on
// DATASET"). Throws UsageError naming the option (unreadable base, offline-only method, ...).
void emit_routing_config(const Args& args, const data::Dataset& ds, const data::View& train_rows,
                         const std::string& method, const nlohmann::json& params, const routing::Config& cfg,
                         const std::string& out, const std::string& trained_on);

}  // namespace automix::cli
