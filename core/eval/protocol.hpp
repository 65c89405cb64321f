#pragma once
// Evaluation protocols (method §6, oracle README):
//   full  — per dataset, train on the whole train split, evaluate on val (deterministic,
//           the one the oracle report follows);
//   paper — per dataset and seed 0..seeds−1, train on `train_rows` rows sampled like
//           pandas `DataFrame.sample(n, random_state=seed)`, evaluate on val; mean ± std
//           (population std, like np.std) of the val lifts, costs and performances.
//
//   EvalOptions o; o.protocol = Protocol::Full; o.methods = {"Threshold", "POMDP"};
//   Report r = run_evaluation(ds, o);          // never throws for a method's bad input:
//                                              // that method gets ok = false + error
//   nlohmann::json j = report_to_json(r, ds);  (report_json.hpp)
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
#include "core/eval/trainer.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

enum class Protocol { Full, Paper };

struct EvalOptions {
    std::vector<std::string> datasets;  // empty = every dataset in the file, file order
    std::vector<std::string> methods;   // names or aliases; empty = every registered method
                                        // that runs by default on the dataset
    Protocol protocol = Protocol::Full;
    int seeds = 10;
    std::size_t train_rows = 1000;
    routing::Config config;             // num_bins, call costs, verifier cost, ...
    bool keep_train_candidates = true;  // train curve in the report
    bool val_curves = true;             // score every candidate on val (AIQ, call-%, Pareto)
    // Each method's `extra` (the JSON report's per-method details, e.g. Cascade's belief trace
    // of every val row): off when no JSON report is written, since on a million rows the traces
    // alone cost hundreds of megabytes and nothing else reads them.
    bool method_extras = true;
    // Keep the per-row part of a method's extra (MethodReport::extra_rows) as a function that
    // computes it while the JSON report is written, instead of in `extra`: for a writer that
    // streams the report (automix eval --json), so a million belief traces are never held.
    bool stream_extra_rows = false;
    // Write every metric of eval::metric_fields() in the report and its CSV, not just the
    // automix-oracle-v1 ones (the default keeps the report byte for byte as it was).
    bool all_metrics = false;
    // Checked between dataset × method runs; when it becomes true run_evaluation throws
    // EvalCancelled. May be null.
    const std::atomic<bool>* cancel = nullptr;
    // Datasets are evaluated independently, this many at a time (0 = one per core). The report
    // is the same for any value: each dataset is computed whole by one thread and delivered in
    // file order.
    unsigned threads = 0;
};

struct EvalCancelled : std::runtime_error {
    EvalCancelled() : std::runtime_error("evaluation cancelled") {}
};

struct SeedResult {
    std::uint32_t seed = 0;
    std::size_t train_rows = 0;
    routing::Params best;
    double train_lift = kNaN;
    Metrics val;
};

struct Stat {
    double mean = kNaN, std = kNaN, min = kNaN, max = kNaN;
};
Stat stat_of(const std::vector<double>& v);  // population std like np.std

struct MethodReport {
    std::string key;  // the method's report name
    bool ok = false;
    std::string error;
    // Full protocol (and, in the paper protocol, the run on the whole train split is not
    // made: these stay empty there).
    routing::Params best;
    double train_lift = kNaN;
    std::size_t n_candidates = 0, n_best_ties = 0;
    std::vector<CandidateResult> train_candidates;
    Metrics val;
    routing::Decisions decisions;         // aligned with DatasetReport::val_rows
    std::vector<Metrics> val_candidates;  // every candidate on val (val_curves)
    CurveSummary val_curve;
    nlohmann::json extra;  // Method::extra, null when none
    // With EvalOptions::stream_extra_rows: extra's member extra_rows_key, written by the report
    // from extra_rows (Method::extra_streamed); empty otherwise.
    std::string extra_rows_key;
    std::function<void(const std::function<void(const nlohmann::json&)>&)> extra_rows;
    // Paper protocol.
    std::vector<SeedResult> seeds;
    Stat val_lift_stat, val_cost_stat, val_perf_stat;
    double seconds = 0;
};

struct Point {
    double cost = kNaN, perf = kNaN;
};

struct DatasetReport {
    std::string name;
    std::size_t n_train = 0, n_val = 0;
    data::View train_rows, val_rows;  // file order
    Point slm_only, llm_only;         // val: (c_first, P_first), (c_last, P_last)
    double train_slm_perf = kNaN, train_llm_perf = kNaN;
    std::vector<MethodReport> methods;
    std::vector<std::string> warnings;
};

struct Report {
    std::string input_path;    // as given
    std::string input_sha256;  // of the (decompressed) bytes; may be empty
    std::size_t n_rows = 0;
    // Whole-file warnings (suspect data from the reader, suspect costs); per-dataset ones are
    // in DatasetReport::warnings. Written to the report's `warnings` when not empty.
    std::vector<std::string> warnings;
    EvalOptions options;
    std::vector<DatasetReport> datasets;
    double seconds = 0;
};

// Warnings for costs that make the figures meaningless or odd: not cheapest first, all zero,
// first and last equal (the IBC baseline then has no slope). Costs are validated non-negative
// and finite where they are read; this is about legal but suspect values.
std::vector<std::string> cost_warnings(const std::vector<double>& call_costs, double verifier_cost);

// Resolves method names (throws std::invalid_argument naming an unknown one).
std::vector<routing::MethodPtr> resolve_methods(const std::vector<std::string>& names);

// progress(done, total) is called after each dataset × method; may be empty. dataset_done is
// called with each dataset's part once it and every dataset before it are complete, before it
// joins the report (a writer streams it and may drop its details); may be empty. Both are called
// on the calling thread's behalf one at a time (progress may come from a worker thread;
// dataset_done always runs on the calling thread).
Report run_evaluation(const data::Dataset& ds, const EvalOptions& options,
                      const std::function<void(std::size_t, std::size_t)>& progress = {},
                      const std::function<void(DatasetReport&)>& dataset_done = {});

// Frees what only the JSON report shows (decisions, candidates, a method's extra), keeping the
// figures the table and the CSV print: for a caller that has already written the JSON part.
void drop_details(DatasetReport& d);

// Row positions pandas `DataFrame.sample(n, random_state=seed)` picks from a frame of
// `population` rows (legacy numpy RandomState: MT19937, permutation(population)[:n]).
std::vector<std::size_t> pandas_sample_positions(std::size_t population, std::size_t n, std::uint32_t seed);

}  // namespace automix::eval
