// CascadeThresholds: the fixed per-step threshold cascade. From model j (j < N−1) escalate
// iff its verifier confidence p_j ≤ t_j (inclusive, like Threshold). Trained greedily: t_0
// first, then t_1 with t_0 fixed, …; step j is chosen by the train IBC lift (against the
// m_1 → m_N line) of the cascade cut after m_{j+1}, over t = k·gap, k = 0..num_bins,
// ties → the smaller t. The candidates are the last step's sweep with the earlier
// thresholds fixed, so the trainer's choice is the greedy one and its curve is that sweep.
#include <cmath>

#include "core/routing/bins.hpp"
#include "core/routing/cascade_methods.hpp"
#include "core/routing/cascade_router.hpp"
#include "core/routing/common.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

// Index of the model answering row r: escalate from j while j < t.size() and p_j ≤ t_j.
ModelIndex final_model(const data::Dataset& ds, data::RowIndex r, const std::vector<double>& t) {
    std::size_t j = 0;
    for (; j < t.size(); ++j) {
        const double p = ds.models[j].verifier_confidence[r];
        if (std::isnan(p))
            throw RoutingError("row " + detail::row_name(ds, r) + ": no verifier confidence for model " +
                               ds.models[j].name);
        if (!(p <= t[j])) break;
    }
    return static_cast<ModelIndex>(j);
}

class CascadeThresholdsMethod : public Method {
  public:
    std::string name() const override { return "CascadeThresholds"; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.colour_slot = 15;
        return c;
    }
    std::vector<std::string> aliases() const override { return {"cascade_thresholds"}; }
    bool uses_all_models() const override { return true; }

    std::vector<Params> candidates(const data::Dataset& ds, const data::View& train, const Config& cfg) const override {
        const Bins bins(cfg.num_bins);
        const std::size_t steps = ds.model_count() - 1;
        const cascade::CascadeCosts costs = cascade::cascade_costs(ds, cfg);
        const std::vector<double> reach = cascade::cost_to_reach(costs);
        const cascade::CascadeRows rows(ds, train, cfg.num_bins);
        const cascade::LineBaseline line = cascade::line_baseline(rows, costs.call_costs);
        std::vector<double> fixed;
        std::vector<double> used(train.size());
        for (std::size_t step = 0; step + 1 < steps; ++step) {
            double best_lift = -INFINITY, best_t = 0;
            bool first = true;
            for (int k = 0; k <= cfg.num_bins; ++k) {
                std::vector<double> t = fixed;
                t.push_back(bins.centre(k));
                double cost = 0;
                for (std::size_t i = 0; i < train.size(); ++i) {
                    const ModelIndex j = final_model(ds, train[i], t);
                    cost += reach[j];
                    used[i] = rows.score(i, j);
                }
                const double n = static_cast<double>(train.size());
                const double lift = cascade::line_lift(cost / n, pairwise_sum(used.data(), used.size()) / n, line);
                if (first || lift > best_lift) best_lift = lift, best_t = bins.centre(k);
                first = false;
            }
            fixed.push_back(best_t);
        }
        std::vector<Params> out;
        for (int k = 0; k <= cfg.num_bins; ++k) {
            std::vector<double> t = fixed;
            t.push_back(bins.centre(k));
            out.emplace_back(t);
        }
        return out;
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p, const Config&) const override {
        const std::vector<double> t = detail::numbers_param(p, ds.model_count() - 1, "CascadeThresholds parameter");
        Decisions d(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) d[i] = final_model(ds, rows[i], t);
        return d;
    }

    std::string describe(const Params& p, const Config&) const override {
        std::string text;
        if (!p.is_array()) return p.dump();
        for (std::size_t j = 0; j < p.size(); ++j)
            text += (j ? ", t" : "t") + std::to_string(j + 1) + " = " +
                    (p[j].is_number() ? detail::format_number(p[j].get<double>()) : p[j].dump());
        return text;
    }

    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const Params& p,
                        const Config&) const override {
        const std::vector<double> t = detail::numbers_param(p, ds.model_count() - 1, "CascadeThresholds parameter");
        std::string text;
        const ModelIndex last = final_model(ds, row, t);
        for (std::size_t j = 0; j <= last && j < t.size(); ++j) {
            const double c = ds.models[j].verifier_confidence[row];
            const auto [cs, ts] = detail::display_compared(c, t[j]);
            text += ds.models[j].name + " conf " + cs + (c <= t[j] ? " ≤ " : " > ") + ts +
                    (c <= t[j] ? " → escalate; " : " → report");
        }
        if (last == t.size()) text += ds.models.back().name + " answers";
        return text;
    }
};

}  // namespace

AUTOMIX_REGISTER_METHOD(cascade_thresholds, 1500, [] { return std::make_shared<CascadeThresholdsMethod>(); })

}  // namespace automix::routing
