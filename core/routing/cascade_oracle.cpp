// CascadeOracle: routes each query to the cheapest model whose score is ≥ τ (the first
// model when none is), paying for the cascade up to it. It reads the answers' scores, so
// it is an upper bound to compare routers against, not a router.
#include <cmath>

#include "core/routing/cascade_methods.hpp"
#include "core/routing/common.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

class CascadeOracleMethod : public Method {
  public:
    explicit CascadeOracleMethod(double tau) : tau_(tau) {}
    std::string name() const override { return "CascadeOracle"; }
    // Knows the scores: an upper bound like oracle, left out of curves and studies.
    Capabilities capabilities() const override {
        Capabilities c;
        c.role = Role::Reference;
        c.colour_slot = 16;
        return c;
    }
    std::string offline_only() const override {
        return "it picks the cheapest correct model by every model's score, which a live run knows only after calling them all";
    }
    std::vector<std::string> aliases() const override { return {"cascade_oracle"}; }
    bool uses_all_models() const override { return true; }

    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config&) const override {
        return {Params(tau_)};
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p, const Config&) const override {
        const double tau = detail::number_param(p, "CascadeOracle parameter");
        Decisions d(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) d[i] = cheapest_correct(ds, rows[i], tau);
        return d;
    }

    std::string describe(const Params& p, const Config&) const override {
        return "cheapest model with score ≥ " +
               detail::format_number(detail::number_param(p, "CascadeOracle parameter"));
    }

    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const Params& p,
                        const Config&) const override {
        const double tau = detail::number_param(p, "CascadeOracle parameter");
        const ModelIndex j = cheapest_correct(ds, row, tau);
        const double s = ds.models[j].score[row];
        const auto [ss, ts] = detail::display_compared(s, tau);
        return ds.models[j].name + " (score " + ss + (s >= tau ? " ≥ " : " < ") + ts +
               (s >= tau ? ")" : "; no model reaches it)");
    }

  private:
    static ModelIndex cheapest_correct(const data::Dataset& ds, data::RowIndex r, double tau) {
        for (std::size_t j = 0; j < ds.model_count(); ++j) {
            const double s = ds.models[j].score[r];
            if (std::isnan(s))
                throw RoutingError("row " + detail::row_name(ds, r) + ": no score for model " + ds.models[j].name);
            if (s >= tau) return static_cast<ModelIndex>(j);
        }
        return 0;
    }
    double tau_;
};

}  // namespace

AUTOMIX_REGISTER_METHOD(cascade_oracle, 1600, [] { return std::make_shared<CascadeOracleMethod>(0.5); })

}  // namespace automix::routing
