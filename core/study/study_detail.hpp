#pragma once
// Helpers shared by the study files (not part of the public API).
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/eval/metrics.hpp"
#include "core/eval/trainer.hpp"
#include "core/routing/method.hpp"
#include "core/study/study.hpp"

namespace automix::study::detail {

// The study functions, one per file.
StudyResult run_cost_ratio(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& c);
StudyResult run_train_size(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& c);
StudyResult run_transfer(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& c);
StudyResult run_samples(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& c);
StudyResult run_seeds(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& c);
StudyResult run_latency(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& c);

// Dataset indices the request names (all when empty); invalid_argument for an unknown one.
std::vector<int> resolve_datasets(const data::Dataset& ds, const std::vector<std::string>& names);
// Methods to run on one dataset: the named ones, or the defaults that run on it by default.
std::vector<routing::MethodPtr> methods_for(const data::Dataset& ds, const StudyRequest& rq, int dataset);
// Methods to run on every one of `datasets` (transfer): named, or defaults running on all.
std::vector<routing::MethodPtr> methods_for_all(const data::Dataset& ds, const StudyRequest& rq,
                                                const std::vector<int>& datasets);

// The ordinary single evaluation (what eval::run_evaluation does per dataset × method in the
// full protocol): train on `train`, route `val` with the best parameter, score it.
struct Outcome {
    bool ok = false;
    std::string error;
    routing::Params best;
    double train_lift = kNaN;
    eval::Metrics val;
    routing::Decisions decisions;  // aligned with the val rows
};
Outcome train_and_evaluate(const routing::Method& m, const data::Dataset& ds, const data::View& train,
                           const data::View& val, const routing::Config& cfg);

// Runs task(i) for i in [0, count) on up to hardware_concurrency threads, checks the
// cancel flag between tasks and reports progress(done, count, stage). The first exception
// of a task is rethrown after every thread stopped.
void parallel_tasks(std::size_t count, const StudyControl& control, const std::string& stage,
                    const std::function<void(std::size_t)>& task);
void check_cancel(const StudyControl& control);

// JSON value of a number: null when not finite (tables, charts).
nlohmann::json number_or_null(double x);
// The columns of one evaluation on val in a study table (metric_columns.cpp): "val_<key>" for
// each headline field of eval::metric_fields(), and the row's cells for them (null when
// undefined). A metric added to the table appears in every study that reports one evaluation.
void append_val_metric_columns(std::vector<std::string>& columns);
void append_val_metric_cells(std::vector<nlohmann::json>& row, const eval::Metrics& val);
// Mean and population std of the finite values (NaN, NaN when none).
Estimate mean_std(const std::vector<double>& values);

}  // namespace automix::study::detail
