// DoubleThreshold(lo, hi): escalate iff lo ≤ p ≤ hi (both inclusive). Candidates
// (i·gap, j·gap) for 0 ≤ i < j ≤ num_bins − 1, lexicographic (hi never reaches 1).
#include "core/routing/bins.hpp"
#include "core/routing/common.hpp"
#include "core/routing/methods.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

class DoubleThresholdMethod : public Method {
  public:
    std::string name() const override { return "DoubleThreshold"; }
    std::vector<std::string> aliases() const override { return {"double_threshold"}; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.key = "double_threshold";
        const char* tip = "DoubleThreshold: escalate iff lo ≤ confidence ≤ hi";
        c.controls = {{"low", "lo", 0.0, 1.0, 1000, false, "%.3f", tip},
                      {"high", "hi", 0.0, 1.0, 1000, false, "%.3f", tip}};
        c.ordered_controls = true;
        c.colour_slot = 1;
        c.wrapped_colour_slot = 8;
        c.wrappers = {"fixed_answer"};
        return c;
    }

    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config& cfg) const override {
        const Bins bins(cfg.num_bins);
        std::vector<Params> out;
        for (int i = 0; i < cfg.num_bins; ++i)
            for (int j = i + 1; j < cfg.num_bins; ++j) out.push_back(Params::array({bins.centre(i), bins.centre(j)}));
        return out;
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p, const Config&) const override {
        const auto t = detail::numbers_param(p, 2, "DoubleThreshold parameter");
        const std::vector<double> c = detail::confidences(ds, rows);
        const double lo = t[0], hi = t[1];
        Decisions d(rows.size());
        for (std::size_t i = 0; i < c.size(); ++i) d[i] = static_cast<ModelIndex>(lo <= c[i] && c[i] <= hi);
        return d;
    }

    std::string describe(const Params& p, const Config&) const override {
        const auto t = detail::numbers_param(p, 2, "DoubleThreshold parameter");
        return "escalate " + detail::format_number(t[0]) + " ≤ conf ≤ " + detail::format_number(t[1]);
    }

    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const Params& p,
                        const Config&) const override {
        const auto t = detail::numbers_param(p, 2, "DoubleThreshold parameter");
        const double c = detail::confidence(ds, row);
        const bool esc = t[0] <= c && c <= t[1];
        // Shown with the bound nearest to c, so a close call never reads as the wrong side.
        const auto [c0, t0] = detail::display_compared(c, t[0]);
        const auto [c1, t1] = detail::display_compared(c, t[1]);
        return "conf " + (c0.size() >= c1.size() ? c0 : c1) + (esc ? " in " : " outside ") + "[" + t0 + ", " + t1 +
               "] → " + detail::decision_word(esc);
    }
};

}  // namespace

MethodPtr make_double_threshold() {
    return std::make_shared<DoubleThresholdMethod>();
}

AUTOMIX_REGISTER_METHOD(double_threshold, 200, make_double_threshold)

}  // namespace automix::routing
