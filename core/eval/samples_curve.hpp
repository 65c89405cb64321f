#pragma once
// "How many verifier samples do you need?": recompute every row's verifier confidence from
// its first k self-verification samples (method §3), retrain each method on the train rows
// and score it on the val rows, for k = 1..32.
//
//   SamplesCurve c = samples_curve(ds, ds.find_dataset("coqa"), {find_method("Threshold")},
//                                  {1, 2, 4, 8, 16, 32}, cfg);
//   c.points[i].val_lift   (one point per k × method, k-major)
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/eval/data_table.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

struct SamplesPoint {
    int k = 0;
    std::string method;
    bool ok = false;
    std::string error;
    double train_lift = kNaN;
    Metrics val;
};

struct SamplesCurve {
    std::vector<int> ks;
    std::vector<std::string> methods;
    std::vector<SamplesPoint> points;      // k-major: all methods of ks[0], then ks[1], …
    std::size_t rows = 0;                  // rows of the dataset
    std::size_t rows_without_samples = 0;  // keep their file confidence at every k
    std::size_t max_samples = 0;           // most samples any row has
    bool cancelled = false;
};

// The confidence of each of `rows` from its first k samples (all when it has fewer); rows
// without samples keep the confidence of the file.
std::vector<double> confidence_from_first(const data::Dataset& ds, const data::View& rows, int k);

// `dataset` indexes ds.dataset_names (−1 = every row of the file). `progress(done, total)`
// after each k; returning false cancels. Throws std::invalid_argument when no row of the
// dataset has verifier samples.
SamplesCurve samples_curve(const data::Dataset& ds, int dataset, const std::vector<routing::MethodPtr>& methods,
                           const std::vector<int>& ks, const routing::Config& cfg,
                           const std::function<bool(std::size_t, std::size_t)>& progress = {});

// k, method, ok, train_lift, val_cost, val_perf, val_lift, val_escalated.
DataTable samples_table(const SamplesCurve& c);

}  // namespace automix::eval
