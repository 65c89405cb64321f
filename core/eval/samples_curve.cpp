#include "core/eval/samples_curve.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/eval/trainer.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::eval {

namespace {

// Per row, the verdict of each sample, so that every k is a prefix count.
struct VerdictPrefix {
    std::vector<std::vector<scoring::Verdict>> verdicts;  // per row of the view
};

VerdictPrefix verdicts_of(const data::Dataset& ds, const data::View& rows, std::size_t model = 0) {
    VerdictPrefix v;
    const auto& samples = ds.models[model].verifier_samples;
    v.verdicts.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        // The verdicts found when the row was loaded: no text is read.
        const std::size_t n = samples.count(rows[i]);
        v.verdicts[i].reserve(n);
        for (std::size_t k = 0; k < n; ++k) {
            const data::SampleVerdict sv = samples.verdict(rows[i], k);
            v.verdicts[i].push_back(sv == data::SampleVerdict::Correct     ? scoring::Verdict::Correct
                                    : sv == data::SampleVerdict::Incorrect ? scoring::Verdict::Incorrect
                                                                           : scoring::Verdict::None);
        }
    }
    return v;
}

double confidence_of_prefix(const std::vector<scoring::Verdict>& verdicts, int k, double file_value) {
    if (verdicts.empty()) return file_value;
    const std::size_t n = std::min(verdicts.size(), static_cast<std::size_t>(std::max(k, 0)));
    int correct = 0, judged = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (verdicts[i] == scoring::Verdict::Correct)
            ++correct, ++judged;
        else if (verdicts[i] == scoring::Verdict::Incorrect)
            ++judged;
    }
    return judged ? static_cast<double>(correct) / judged : 0.0;  // method §3: 0 without a verdict
}

}  // namespace

std::vector<double> confidence_from_first(const data::Dataset& ds, const data::View& rows, int k) {
    const VerdictPrefix v = verdicts_of(ds, rows);
    const auto& file = ds.models.front().verifier_confidence;
    std::vector<double> out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        out[i] = confidence_of_prefix(v.verdicts[i], k, rows[i] < file.size() ? file[rows[i]] : data::kMissing);
    return out;
}

SamplesCurve samples_curve(const data::Dataset& ds, int dataset, const std::vector<routing::MethodPtr>& methods,
                           const std::vector<int>& ks, const routing::Config& cfg,
                           const std::function<bool(std::size_t, std::size_t)>& progress) {
    if (ds.models.size() < 2) throw std::invalid_argument("needs at least two models");
    data::View rows;
    for (std::size_t r = 0; r < ds.size(); ++r)
        if (dataset < 0 || ds.dataset_index[r] == dataset) rows.push_back(static_cast<data::RowIndex>(r));
    SamplesCurve c;
    c.ks = ks;
    for (const auto& m : methods) c.methods.push_back(m->name());
    c.rows = rows.size();
    // Every model but the last is verified, so each one's confidence comes from k samples
    // (with two models, only the small one's). The counts below describe the first model.
    const std::size_t verified = ds.models.size() - 1;
    std::vector<VerdictPrefix> v;
    for (std::size_t j = 0; j < verified; ++j) v.push_back(verdicts_of(ds, rows, j));
    for (const auto& row : v.front().verdicts) {
        if (row.empty()) ++c.rows_without_samples;
        c.max_samples = std::max(c.max_samples, row.size());
    }
    for (std::size_t j = 1; j < verified; ++j)
        for (const auto& row : v[j].verdicts) c.max_samples = std::max(c.max_samples, row.size());
    if (c.max_samples == 0) throw std::invalid_argument("no row has verifier samples to recompute the confidence from");

    data::Dataset sub = ds.routing_subset(rows);
    data::View train, val;
    for (std::size_t i = 0; i < sub.size(); ++i) {
        if (sub.split[i] == data::Split::Train)
            train.push_back(static_cast<data::RowIndex>(i));
        else if (sub.split[i] == data::Split::Val)
            val.push_back(static_cast<data::RowIndex>(i));
    }
    std::vector<std::vector<double>> file_conf;
    for (std::size_t j = 0; j < verified; ++j) {
        sub.models[j].verifier_confidence.resize(sub.size(), data::kMissing);
        file_conf.push_back(sub.models[j].verifier_confidence);
    }

    for (std::size_t ki = 0; ki < ks.size(); ++ki) {
        for (std::size_t j = 0; j < verified; ++j) {
            auto& conf = sub.models[j].verifier_confidence;
            for (std::size_t i = 0; i < sub.size(); ++i)
                conf[i] = confidence_of_prefix(v[j].verdicts[i], ks[ki], file_conf[j][i]);
        }
        for (const auto& m : methods) {
            SamplesPoint p;
            p.k = ks[ki];
            p.method = m->name();
            try {
                const Fit fit = fit_and_score(*m, sub, train, val, cfg);
                p.train_lift = fit.train.train_lift();
                p.val = fit.scored;
                p.ok = true;
            } catch (const std::exception& e) {
                p.error = e.what();
            }
            c.points.push_back(std::move(p));
        }
        if (progress && !progress(ki + 1, ks.size())) {
            c.cancelled = true;
            break;
        }
    }
    return c;
}

DataTable samples_table(const SamplesCurve& c) {
    DataTable t{{"k", "method", "ok", "train_lift", "val_cost", "val_perf", "val_lift", "val_escalated"}, {}};
    for (const SamplesPoint& p : c.points)
        t.add({static_cast<double>(p.k), p.method, p.ok ? 1.0 : 0.0, p.train_lift, p.val.avg_cost, p.val.avg_perf,
               p.val.lift, p.val.escalated_fraction});
    return t;
}

}  // namespace automix::eval
