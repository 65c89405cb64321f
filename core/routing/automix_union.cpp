// POMDP (the paper's row; the reference's AutomixUnion): the candidates of POMDPSimple,
// GreedyPOMDP, DoubleThreshold and Threshold, in that order, each tagged with its member
// index 0..3; so DoubleThreshold (0, t) wins a tie against the identical Threshold t.
#include "core/routing/common.hpp"
#include "core/routing/methods.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

class AutomixUnionMethod : public Method {
  public:
    AutomixUnionMethod()
        : members_{make_pomdp_simple(), make_greedy_pomdp(), make_double_threshold(), make_threshold()} {}
    std::string name() const override { return "POMDP"; }
    std::vector<std::string> aliases() const override { return {"automix_union", "AutomixUnion", "pomdp_union"}; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.key = "pomdp";
        c.colour_slot = 6;
        c.wrapped_colour_slot = 12;
        c.wrappers = {"fixed_answer"};
        c.on_samples_curve = true;
        return c;
    }

    std::vector<Params> candidates(const data::Dataset& ds, const data::View& train, const Config& cfg) const override {
        std::vector<Params> out;
        for (std::size_t i = 0; i < members_.size(); ++i)
            for (auto& p : members_[i]->candidates(ds, train, cfg))
                out.push_back(Params::array({std::move(p), static_cast<int>(i)}));
        return out;
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p,
                    const Config& cfg) const override {
        const auto [member, inner] = split(p);
        return member->route(ds, rows, inner, cfg);
    }

    std::string describe(const Params& p, const Config& cfg) const override {
        const auto [member, inner] = split(p);
        return member->name() + ": " + member->describe(inner, cfg);
    }

    std::string explain(const data::Dataset& ds, const data::View& train, data::RowIndex row, const Params& p,
                        const Config& cfg) const override {
        const auto [member, inner] = split(p);
        return "via " + member->name() + ": " + member->explain(ds, train, row, inner, cfg);
    }

    nlohmann::json extra(const data::Dataset& ds, const data::View& train, const Params& p,
                         const Config& cfg) const override {
        const auto [member, inner] = split(p);
        return member->extra(ds, train, inner, cfg);
    }
    StreamedExtra extra_streamed(const data::Dataset& ds, const data::View& train, const Params& p,
                                 const Config& cfg) const override {
        const auto [member, inner] = split(p);
        return member->extra_streamed(ds, train, inner, cfg);
    }

    Params bin_policy(const Params& p) const override {
        if (!p.is_array() || p.size() != 2 || !p[1].is_number_integer() || p[1].get<int>() < 0 ||
            p[1].get<int>() >= static_cast<int>(members_.size()))
            return nullptr;
        return members_[p[1].get<std::size_t>()]->bin_policy(p[0]);
    }

  private:
    std::pair<const Method*, Params> split(const Params& p) const {
        if (!p.is_array() || p.size() != 2 || !p[1].is_number_integer() || p[1].get<int>() < 0 ||
            p[1].get<int>() >= static_cast<int>(members_.size()))
            throw RoutingError("POMDP parameter: expected [member_param, member_index 0..3], got " + p.dump());
        return {members_[p[1].get<int>()].get(), p[0]};
    }

    std::vector<MethodPtr> members_;
};

}  // namespace

AUTOMIX_REGISTER_METHOD(automix_union, 700, [] { return std::make_shared<AutomixUnionMethod>(); })

}  // namespace automix::routing
