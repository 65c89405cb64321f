#pragma once
// The routing a saved session shows, computed without the GUI: every dataset of the file is
// trained on its own train rows (best train IBC lift, as the explorer's Train does), the
// parameters set by hand replace the trained ones, every row is routed, and the scope's
// figures are measured like the explorer's status bar. `automix eval --session` prints this.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"
#include "core/session/session.hpp"

namespace automix::session {

struct DatasetRouting {
    std::string dataset;
    routing::Params params;
    bool manual = false;  // from the session's manual_params
    double train_lift = eval::kNaN;
    std::string error;  // training or routing failed for this dataset
};

struct SessionRouting {
    std::string method;
    routing::Config config;
    std::vector<int> decisions;  // per file row: ladder index, -1 when not routed
    std::vector<DatasetRouting> datasets;
    data::View scope;  // the session's dataset and split
    bool valid = false;  // every scope row routed and measured
    eval::Metrics metrics;
};

// The routing config the explorer uses for these costs: the file's cost per model with the
// cheapest and the largest model's from the session.
routing::Config session_config(const data::Dataset& ds, const Session& s);
// The rows of the session's dataset ("" = all) and split (val, train, all).
data::View session_scope(const data::Dataset& ds, const Session& s);
// Throws std::invalid_argument for an unknown method, or a dataset name the file lacks.
SessionRouting route_session(const data::Dataset& ds, const Session& s);
nlohmann::json routing_to_json(const SessionRouting& r);

}  // namespace automix::session
