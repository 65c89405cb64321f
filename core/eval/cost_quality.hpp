#pragma once
// Everything the cost–quality chart draws, computed on one set of evaluation rows: the
// small-only and large-only points (whose straight line is the IBC baseline), the oracle
// router, a random mix at fractions 0, 0.1, …, 1, and for every method its full candidate
// curve with the candidate training picks (on the train rows) and the Pareto frontier over
// all candidate points.
//
//   CostQuality cq = cost_quality(ds, train_rows, val_rows, chart_methods(ds, "coqa"), cfg);
//   cq.methods[i].points[j].metrics.avg_cost / .avg_perf / .lift
//   std::string csv = to_csv(cost_quality_table(cq));
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/eval/data_table.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

struct CurvePoint {
    routing::Params params;
    std::string text;  // Method::describe(params)
    Metrics metrics;   // on the evaluation rows
};

struct MethodCurve {
    std::string method;
    bool ok = false;
    std::string error;               // why the method could not be trained or routed
    std::vector<CurvePoint> points;  // every candidate, in enumeration order
    std::size_t trained = 0;         // index of the candidate training chose (train lift)
    double train_lift = kNaN;
};

struct ParetoEntry {
    std::size_t method = 0, point = 0;  // into CostQuality::methods / MethodCurve::points
};

struct CostQuality {
    Metrics small_only, large_only, oracle;  // two-model ladder (first and last model)
    std::vector<CurvePoint> random_mix;      // fractions 0, 1/steps, …, 1
    std::vector<MethodCurve> methods;
    std::vector<ParetoEntry> pareto;  // Pareto-optimal candidate points of all methods, by cost
    bool cancelled = false;
};

// Registered methods that run on the dataset (runs_by_default_on), those outside the paper's
// default set included; reference points (routing::Role::Reference) excluded: those the chart
// shows are drawn on their own.
std::vector<routing::MethodPtr> chart_methods(const std::string& dataset_name);

// `progress(done, total)` is called after each method; returning false cancels (the result
// then has cancelled = true and the methods done so far). Never throws for a method's bad
// input: that method gets ok = false and the error. Throws std::invalid_argument when the
// evaluation rows themselves cannot be scored (empty, missing scores).
CostQuality cost_quality(const data::Dataset& ds, const data::View& train, const data::View& eval,
                         const std::vector<routing::MethodPtr>& methods, const routing::Config& cfg,
                         const std::function<bool(std::size_t, std::size_t)>& progress = {}, int random_steps = 10);

// One line per point: series (small_only, large_only, oracle, random_mix, candidate), method,
// params (JSON), description, every field of metric_fields() by its key (avg_cost, avg_perf,
// lift, …), trained (0/1), pareto (0/1).
DataTable cost_quality_table(const CostQuality& cq);
// The tables of several datasets in one, each line led by its `dataset`.
DataTable cost_quality_table(const std::vector<std::pair<std::string, CostQuality>>& by_dataset);

}  // namespace automix::eval
