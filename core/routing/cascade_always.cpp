// CascadeAlways: the fixed cascade that calls (and verifies) every model in order and
// reports the last one — what a cascade costs without any meta-verifier.
#include "core/routing/cascade_methods.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

class CascadeAlwaysMethod : public Method {
  public:
    std::string name() const override { return "CascadeAlways"; }
    // always_large's N-model twin: a reference point, left out of curves and studies.
    Capabilities capabilities() const override {
        Capabilities c;
        c.role = Role::Reference;
        c.colour_slot = 14;
        return c;
    }
    std::vector<std::string> aliases() const override { return {"cascade_always"}; }
    bool uses_all_models() const override { return true; }

    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config&) const override {
        return {Params("last")};
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p, const Config&) const override {
        if (p != Params("last")) throw RoutingError("CascadeAlways parameter: expected \"last\", got " + p.dump());
        return Decisions(rows.size(), static_cast<ModelIndex>(ds.model_count() - 1));
    }

    std::string describe(const Params&, const Config&) const override { return "every model, report the last"; }

    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex, const Params&,
                        const Config&) const override {
        return "fixed cascade: always answered by " + ds.models.back().name;
    }
};

}  // namespace

AUTOMIX_REGISTER_METHOD(cascade_always, 1400, [] { return std::make_shared<CascadeAlwaysMethod>(); })

}  // namespace automix::routing
