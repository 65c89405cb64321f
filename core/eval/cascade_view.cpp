#include "core/eval/cascade_view.hpp"

#include <exception>

namespace automix::eval {

using namespace routing::cascade;

CascadeView cascade_view(const data::Dataset& ds, const data::View& train, data::RowIndex row,
                         const routing::Params& params, const routing::Config& cfg) {
    CascadeView v;
    try {
        CascadeOptions o;
        o.num_bins = cfg.num_bins;
        const CascadeSolution sol(learn_cascade_model(ds, train, o, cascade_costs(ds, cfg)));
        for (int s = 0; s < sol.model().states; ++s) v.state_labels.push_back(state_label(s, sol.model().models));
        for (const auto& m : ds.models) v.model_names.push_back(m.display_name.empty() ? m.name : m.display_name);
        const double lambda = lambda_of_params(params);
        v.policy_table = policy_table_json(sol, policy_from_params(params, sol.tree()), lambda);
        const CascadeRows rows(ds, data::View{row}, cfg.num_bins);
        v.steps = trace_row(sol, lambda, rows, 0);
    } catch (const std::exception& e) {
        v.error = e.what();
    }
    return v;
}

DataTable cascade_trace_table(const CascadeView& v) {
    DataTable t;
    t.columns = {"step", "model", "bin"};
    for (const auto& l : v.state_labels) t.columns.push_back("belief " + l);
    for (const char* c : {"q_report", "q_escalate", "action", "cost_so_far"}) t.columns.push_back(c);
    for (std::size_t i = 0; i < v.steps.size(); ++i) {
        const TraceStep& s = v.steps[i];
        std::vector<Cell> row;
        row.emplace_back(static_cast<double>(i));
        if (static_cast<std::size_t>(s.model) < v.model_names.size())
            row.emplace_back(v.model_names[static_cast<std::size_t>(s.model)]);
        else
            row.emplace_back(std::to_string(s.model));
        row.emplace_back(static_cast<double>(s.bin));
        for (std::size_t k = 0; k < v.state_labels.size(); ++k) row.push_back(k < s.belief.size() ? s.belief[k] : kNaN);
        row.push_back(s.q_report);
        row.push_back(s.q_escalate);
        row.emplace_back(std::string(s.escalate ? "escalate" : "report"));
        row.push_back(s.cost_so_far);
        t.add(std::move(row));
    }
    return t;
}

}  // namespace automix::eval
