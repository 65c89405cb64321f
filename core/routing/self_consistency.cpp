// SelfConsistency: Threshold with the single candidate t = 0.5 (nothing to train).
#include "core/routing/common.hpp"
#include "core/routing/methods.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

class SelfConsistencyMethod : public Method {
  public:
    SelfConsistencyMethod() : threshold_(make_threshold()) {}
    std::string name() const override { return "SelfConsistency"; }
    std::vector<std::string> aliases() const override { return {"self_consistency"}; }
    // The paper's fixed-threshold baseline; the threshold slider moves its one number.
    Capabilities capabilities() const override {
        Capabilities c = threshold_->capabilities();
        c.role = Role::Baseline;
        c.key = "self_consistency";
        c.colour_slot = 3;
        c.wrapped_colour_slot = -1;
        c.wrappers.clear();  // the reference never wraps it
        c.on_samples_curve = false;  // a baseline: not on the lift-vs-samples curve with Threshold
        return c;
    }

    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config&) const override {
        return {Params(0.5)};
    }
    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p,
                    const Config& cfg) const override {
        return threshold_->route(ds, rows, p, cfg);
    }
    std::string describe(const Params& p, const Config& cfg) const override { return threshold_->describe(p, cfg); }
    std::string explain(const data::Dataset& ds, const data::View& train, data::RowIndex row, const Params& p,
                        const Config& cfg) const override {
        return threshold_->explain(ds, train, row, p, cfg);
    }

  private:
    MethodPtr threshold_;
};

}  // namespace

AUTOMIX_REGISTER_METHOD(self_consistency, 400, [] { return std::make_shared<SelfConsistencyMethod>(); })

}  // namespace automix::routing
