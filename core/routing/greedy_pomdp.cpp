// GreedyPOMDP: mean (llm − slm) gain per floor bin of the train rows, Gaussian-smoothed;
// candidates escalate the top-m bins by smoothed gain, m = 1..num_bins + 1. Routing: escalate
// iff the row's nearest bin is in the set.
#include "core/routing/greedy_pomdp.hpp"

#include <algorithm>
#include <cstdio>

#include "core/routing/common.hpp"
#include "core/routing/methods.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {

GreedyGains greedy_gains(const data::Dataset& ds, const data::View& train, const Bins& bins) {
    const auto& slm = ds.models.front().score;
    const auto& llm = ds.models.back().score;
    std::vector<std::vector<double>> deltas(static_cast<std::size_t>(bins.count()));
    for (const data::RowIndex r : train) {
        const int b = bins.floor_bin(detail::confidence(ds, r));
        if (b < 0) continue;
        deltas[b].push_back(llm[r] - slm[r]);
    }
    GreedyGains g;
    for (const auto& d : deltas) {
        g.rows.push_back(d.size());
        g.raw.push_back(d.empty() ? 0.0 : numpy_mean(d));
    }
    g.smoothed = gaussian_smooth_reflect(g.raw, 2.0);
    // Stable ascending sort by smoothed gain, then reversed: equal gains → higher bin first.
    std::vector<int> order(g.smoothed.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int>(k);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return g.smoothed[a] < g.smoothed[b]; });
    std::reverse(order.begin(), order.end());
    g.order = std::move(order);
    return g;
}

namespace {

class GreedyPomdpMethod : public Method {
  public:
    std::string name() const override { return "GreedyPOMDP"; }
    std::vector<std::string> aliases() const override { return {"greedy_pomdp", "greedy"}; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.key = "greedy_pomdp";
        c.colour_slot = 5;
        c.wrapped_colour_slot = 11;
        c.wrappers = {"fixed_answer"};
        return c;
    }

    std::vector<Params> candidates(const data::Dataset& ds, const data::View& train, const Config& cfg) const override {
        const Bins bins(cfg.num_bins);
        const GreedyGains g = greedy_gains(ds, train, bins);
        std::vector<int> flags(static_cast<std::size_t>(bins.count()), 0);
        std::vector<Params> out;
        for (const int b : g.order) {
            flags[b] = 1;
            out.emplace_back(flags);
        }
        return out;
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p,
                    const Config& cfg) const override {
        return detail::route_by_bin_flags(ds, rows, p, Bins(cfg.num_bins), "GreedyPOMDP parameter");
    }

    std::string describe(const Params& p, const Config& cfg) const override {
        return detail::describe_bin_flags(p, Bins(cfg.num_bins), "GreedyPOMDP parameter");
    }

    std::string explain(const data::Dataset& ds, const data::View& train, data::RowIndex row, const Params& p,
                        const Config& cfg) const override {
        const Bins bins(cfg.num_bins);
        const auto flags = detail::flags_param(p, bins.count(), "GreedyPOMDP parameter");
        const double c = detail::confidence(ds, row);
        const int b = bins.nearest(c);
        if (b < 0 || b >= bins.count()) return "conf " + detail::display_number(c) + " is in no bin → cannot route";
        const bool esc = flags[b] != 0;
        std::string s = "conf " + detail::display_number(c) + " → bin " + std::to_string(b) +
                        (esc ? " (in the escalated set)" : " (not in the escalated set)");
        if (!train.empty()) {
            const GreedyGains g = greedy_gains(ds, train, bins);
            char buf[120];
            std::snprintf(buf, sizeof buf, "; bin gain %.4f raw, %.4f smoothed, %zu train rows", g.raw[b],
                          g.smoothed[b], g.rows[b]);
            s += buf;
        }
        return s + " → " + detail::decision_word(esc);
    }

    nlohmann::json extra(const data::Dataset& ds, const data::View& train, const Params&,
                         const Config& cfg) const override {
        const GreedyGains g = greedy_gains(ds, train, Bins(cfg.num_bins));
        return {{"bin_rows", g.rows}, {"raw_gain", g.raw}, {"smoothed_gain", g.smoothed}, {"order", g.order}};
    }
};

}  // namespace

MethodPtr make_greedy_pomdp() {
    return std::make_shared<GreedyPomdpMethod>();
}

AUTOMIX_REGISTER_METHOD(greedy_pomdp, 600, make_greedy_pomdp)

}  // namespace automix::routing
