#pragma once
// What the GUI shows for the N-model cascade (method §7): the belief trajectory of one query
// under trained parameters, and the policy table. Learned with the Cascade method's defaults
// (τ = 0.5, α = 1, the config's bins) from the train rows the parameters were trained on.
//
//   CascadeView v = cascade_view(ds, train_rows, row, params, cfg);
//   v.steps[i].belief[s]  (label v.state_labels[s]),  v.policy_table (JSON rows)
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/eval/data_table.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/cascade_router.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

struct CascadeView {
    std::vector<std::string> state_labels;
    std::vector<std::string> model_names;
    std::vector<routing::cascade::TraceStep> steps;  // of the row
    nlohmann::json policy_table;                     // routing::cascade::policy_table_json
    std::string error;                               // "" when computed
};

CascadeView cascade_view(const data::Dataset& ds, const data::View& train, data::RowIndex row,
                         const routing::Params& params, const routing::Config& cfg);

// step, model, bin, one column per state's belief, q_report, q_escalate, action, cost_so_far.
DataTable cascade_trace_table(const CascadeView& v);

}  // namespace automix::eval
