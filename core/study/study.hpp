#pragma once
// Studies: the AutoMix paper's analyses (and what its reviewers asked for) as repeatable
// experiments over core/eval. Each study is one function in its own file that runs the
// ordinary train-on-train / evaluate-on-val path under varied settings and collects the
// results in one shape (StudyResult) that the CLI writes as JSON/CSV and the GUI draws.
//
//   StudyRequest req;  req.study = "cost-ratio";  req.datasets = {"coqa"};
//   StudyResult r = run_study(ds, req, control);   // throws StudyCancelled / invalid_argument
//   nlohmann::ordered_json j = study_to_json(r);   std::string csv = study_table_csv(r);
//   StudyResult again = study_from_json(j);       // e.g. from a saved session
//
// Studies: cost-ratio, train-size, transfer, samples, seeds, latency (study_names()).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"

namespace automix::study {

inline constexpr double kNaN = eval::kNaN;

// Every setting any study reads; each study documents which ones it uses.
struct StudyRequest {
    std::string study;                  // one of study_names()
    std::vector<std::string> datasets;  // empty = every dataset in the data
    std::vector<std::string> methods;   // empty = default_methods()
    routing::Config config;             // num_bins, call costs (cheapest first), verifier cost

    // cost-ratio: large/small call-cost ratios (the large model costs ratio × small).
    std::vector<double> cost_ratios{2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};
    // train-size: training rows per seed; 0 = the whole train split.
    std::vector<std::size_t> train_sizes{10, 25, 50, 100, 250, 500, 1000, 0};
    // train-size, seeds, samples: number of seeds (0..seeds−1).
    int seeds = 10;
    // seeds: training rows per seed (the paper's protocol: 1000).
    std::size_t train_rows = 1000;
    // seeds: bootstrap replicates and the interval's coverage.
    int bootstrap = 1000;
    double confidence = 0.95;
    // samples: verifier sample counts k; 0 = every sample of the row.
    std::vector<int> sample_counts{1, 2, 4, 8, 16, 32};
    // latency: seconds per call of each model (cheapest first) and per verification pass.
    std::vector<double> model_latency;
    double verifier_latency = kNaN;
};

// Progress and cancellation, both optional. progress(done, total, stage).
struct StudyControl {
    std::function<void(std::size_t, std::size_t, const std::string&)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

struct StudyCancelled : std::runtime_error {
    StudyCancelled() : std::runtime_error("study cancelled") {}
};

// One number with its spread: value = the point estimate (a mean over seeds when there are
// seeds), std = population std over seeds, [lo, hi] = an interval when the study has one.
struct Estimate {
    double value = kNaN, std = kNaN, lo = kNaN, hi = kNaN;
};

struct SeriesPoint {
    double x = kNaN;
    Estimate y;
    std::string label;  // x category (seeds study: dataset) or a point label
};

// One line (or set of error bars / scatter points) of a chart. `group` selects the chart
// it belongs to (normally a dataset; "" = the only chart).
struct Series {
    std::string group;
    std::string name;  // normally a method
    std::vector<SeriesPoint> points;
};

// A matrix of values (transfer: rows = trained on, cols = evaluated on), one per method.
struct Matrix {
    std::string name;
    std::vector<std::string> row_labels, col_labels;
    std::vector<std::vector<double>> values;  // [row][col]
};

enum class ChartKind {
    Lines,      // x numeric (log_x possible), one line per series, optional std band
    ErrorBars,  // x categorical (point labels), mean with [lo, hi] whiskers
    HeatMap,    // the matrices
    Scatter,    // labelled points
};

// Long-format table: one row per setting × dataset × method. Cells are JSON values
// (numbers, strings, null for "not available").
struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<nlohmann::json>> rows;
};

struct StudyResult {
    std::string study;
    std::string title;
    nlohmann::ordered_json parameters;  // the settings actually used
    ChartKind chart = ChartKind::Lines;
    std::string x_label, y_label;
    bool log_x = false;
    std::vector<Series> series;
    std::vector<Matrix> matrices;
    Table table;
    std::vector<std::string> warnings;  // e.g. a method that failed on a dataset
    double seconds = 0;

    std::vector<std::string> groups() const;  // distinct Series::group, in first-seen order
};

struct StudyInfo {
    std::string name;
    std::string summary;
};
const std::vector<StudyInfo>& study_infos();
std::vector<std::string> study_names();

// Methods a study runs when the request names none: every registered method that trains a
// routing parameter — all but the constant, oracle and random baselines (always_*, *Always,
// *oracle*, random_mix) — including external routers registered by router-score import.
std::vector<std::string> default_methods();

// Throws std::invalid_argument for an unknown study, dataset, method or a bad setting;
// StudyCancelled when control.cancel became true.
StudyResult run_study(const data::Dataset& ds, const StudyRequest& request, const StudyControl& control = {});

nlohmann::ordered_json study_to_json(const StudyResult& r);
// The inverse of study_to_json (a session keeps its results so): throws std::invalid_argument
// naming the field ("field 'chart.series[0].points[2].y': ...") when the JSON is not one.
StudyResult study_from_json(const nlohmann::json& j);
std::string study_table_csv(const StudyResult& r);

}  // namespace automix::study
