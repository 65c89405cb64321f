// TripleThreshold(a, b, c): escalate iff 0 ≤ p ≤ a or b ≤ p ≤ c (inclusive). Candidates
// (i·gap, j·gap, k·gap), 0 ≤ i < j < k ≤ num_bins − 1, lexicographic.
#include <algorithm>

#include "core/routing/bins.hpp"
#include "core/routing/common.hpp"
#include "core/routing/methods.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

bool escalates(const std::vector<double>& t, double c) {
    return (0.0 <= c && c <= t[0]) || (t[1] <= c && c <= t[2]);
}

class TripleThresholdMethod : public Method {
  public:
    std::string name() const override { return "TripleThreshold"; }
    std::vector<std::string> aliases() const override { return {"triple_threshold"}; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.key = "triple_threshold";
        c.colour_slot = 2;
        c.wrapped_colour_slot = 9;
        c.wrappers = {"fixed_answer"};
        return c;
    }

    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config& cfg) const override {
        const Bins bins(cfg.num_bins);
        std::vector<Params> out;
        for (int i = 0; i < cfg.num_bins; ++i)
            for (int j = i + 1; j < cfg.num_bins; ++j)
                for (int k = j + 1; k < cfg.num_bins; ++k)
                    out.push_back(Params::array({bins.centre(i), bins.centre(j), bins.centre(k)}));
        return out;
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p, const Config&) const override {
        const auto t = detail::numbers_param(p, 3, "TripleThreshold parameter");
        const std::vector<double> c = detail::confidences(ds, rows);
        const double a = t[0], b = t[1], e = t[2];
        Decisions d(rows.size());
        for (std::size_t i = 0; i < c.size(); ++i)
            d[i] = static_cast<ModelIndex>((0.0 <= c[i] && c[i] <= a) || (b <= c[i] && c[i] <= e));
        return d;
    }

    std::string describe(const Params& p, const Config&) const override {
        const auto t = detail::numbers_param(p, 3, "TripleThreshold parameter");
        return "escalate conf in [0, " + detail::format_number(t[0]) + "] ∪ [" + detail::format_number(t[1]) + ", " +
               detail::format_number(t[2]) + "]";
    }

    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const Params& p,
                        const Config&) const override {
        const auto t = detail::numbers_param(p, 3, "TripleThreshold parameter");
        const double c = detail::confidence(ds, row);
        const bool esc = escalates(t, c);
        const auto [c0, t0] = detail::display_compared(c, t[0]);
        const auto [c1, t1] = detail::display_compared(c, t[1]);
        const auto [c2, t2] = detail::display_compared(c, t[2]);
        const std::string shown = std::max({c0, c1, c2}, [](const std::string& a, const std::string& b) {
            return a.size() < b.size();
        });
        return "conf " + shown + (esc ? " in " : " outside ") + "[0, " + t0 + "] ∪ [" + t1 + ", " + t2 + "] → " +
               detail::decision_word(esc);
    }
};

}  // namespace

AUTOMIX_REGISTER_METHOD(triple_threshold, 300, [] { return std::make_shared<TripleThresholdMethod>(); })

}  // namespace automix::routing
