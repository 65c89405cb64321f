// Threshold(t): escalate iff the verifier confidence p ≤ t (inclusive, so t = 1 escalates
// everything). Candidates t = k·gap, k = 0..num_bins.
#include "core/routing/bins.hpp"
#include "core/routing/common.hpp"
#include "core/routing/methods.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

class ThresholdMethod : public Method {
  public:
    std::string name() const override { return "Threshold"; }
    std::vector<std::string> aliases() const override { return {"threshold"}; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.key = "threshold";
        c.controls = {
            {"threshold", "threshold t", 0.0, 1.0, 1000, false, "%.3f", "Escalate iff verifier confidence ≤ t"}};
        c.colour_slot = 0;
        c.wrapped_colour_slot = 7;
        c.wrappers = {"fixed_answer"};
        c.on_samples_curve = true;
        return c;
    }

    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config& cfg) const override {
        const Bins bins(cfg.num_bins);
        std::vector<Params> out;
        for (int k = 0; k <= cfg.num_bins; ++k) out.emplace_back(bins.centre(k));
        return out;
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p, const Config&) const override {
        const double t = detail::number_param(p, "Threshold parameter");
        const std::vector<double> c = detail::confidences(ds, rows);
        Decisions d(rows.size());
        for (std::size_t i = 0; i < c.size(); ++i) d[i] = c[i] <= t ? 1 : 0;
        return d;
    }

    std::string describe(const Params& p, const Config&) const override {
        return "t = " + detail::format_number(detail::number_param(p, "Threshold parameter"));
    }

    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const Params& p,
                        const Config&) const override {
        const double t = detail::number_param(p, "Threshold parameter");
        const double c = detail::confidence(ds, row);
        const bool esc = c <= t;
        const auto [ct, tt] = detail::display_compared(c, t);
        return "conf " + ct + (esc ? " ≤ " : " > ") + "threshold " + tt + " → " + detail::decision_word(esc);
    }
};

}  // namespace

MethodPtr make_threshold() {
    return std::make_shared<ThresholdMethod>();
}

AUTOMIX_REGISTER_METHOD(threshold, 100, make_threshold)

}  // namespace automix::routing
