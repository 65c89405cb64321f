// BestOfK (our addition, not the paper's): a fixed-rule baseline. The small model answers and
// its k verifier samples vote; the answer is kept only when at least a share a of the samples
// call it correct (default a = 2/3, a supermajority), otherwise the query is escalated:
// escalate iff p < a. Nothing is trained (one candidate); the tuning panel's slider moves a.
// Outside the paper's default set: `automix eval` runs it when named (--methods BestOfK).
#include "core/routing/common.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

class BestOfKMethod : public Method {
  public:
    std::string name() const override { return "BestOfK"; }
    std::vector<std::string> aliases() const override { return {"best_of_k"}; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.role = Role::Baseline;
        c.in_default_set = false;
        c.key = "best_of_k";
        c.controls = {{"agreement", "agreement a", 0.0, 1.0, 1000, false, "%.3f",
                       "BestOfK: keep the small model's answer iff at least this share of the k verifier samples "
                       "call it correct"}};
        c.colour_slot = 17;
        return c;
    }

    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config&) const override {
        return {Params(2.0 / 3.0)};
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p, const Config&) const override {
        const double a = detail::number_param(p, "BestOfK agreement");
        const std::vector<double> c = detail::confidences(ds, rows);
        Decisions d(rows.size());
        for (std::size_t i = 0; i < c.size(); ++i) d[i] = c[i] < a ? 1 : 0;
        return d;
    }

    std::string describe(const Params& p, const Config&) const override {
        return "keep iff agreement ≥ " + detail::display_number(detail::number_param(p, "BestOfK agreement"));
    }

    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const Params& p,
                        const Config&) const override {
        const double a = detail::number_param(p, "BestOfK agreement");
        const double c = detail::confidence(ds, row);
        const auto [ct, at] = detail::display_compared(c, a);
        return "samples agreeing " + ct + (c < a ? " < " : " ≥ ") + "required " + at + " → " +
               detail::decision_word(c < a);
    }
};

}  // namespace

AUTOMIX_REGISTER_METHOD(best_of_k, 1700, [] { return std::make_shared<BestOfKMethod>(); })

}  // namespace automix::routing
