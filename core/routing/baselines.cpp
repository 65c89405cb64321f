// Reference points that are not meta-verifiers: always the small model, always the large
// one, the oracle (escalate iff the large model scores strictly higher) and a random mix
// that escalates a fixed fraction of rows, chosen by a hash of (seed, row) so a row's
// decision does not depend on which view it is routed in.
#include <cstdio>

#include "core/routing/common.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

class ConstantMethod : public Method {
  public:
    ConstantMethod(std::string name, ModelIndex decision) : name_(std::move(name)), decision_(decision) {}
    std::string name() const override { return name_; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.role = Role::Reference;
        c.tone = decision_ ? Capabilities::Tone::LargeModel : Capabilities::Tone::SmallModel;
        return c;
    }
    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config&) const override {
        return {Params()};
    }
    Decisions route(const data::Dataset&, const data::View& rows, const Params&, const Config&) const override {
        return Decisions(rows.size(), decision_);
    }
    std::string describe(const Params&, const Config&) const override { return "-"; }
    std::string explain(const data::Dataset&, const data::View&, data::RowIndex, const Params&,
                        const Config&) const override {
        return decision_ ? "always the large model → escalate" : "always the small model → keep small";
    }

  private:
    std::string name_;
    ModelIndex decision_;
};

class OracleMethod : public Method {
  public:
    std::string name() const override { return "oracle"; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.role = Role::Reference;
        c.tone = Capabilities::Tone::Oracle;
        return c;
    }
    std::string offline_only() const override {
        return "it picks by the scores of every model against the gold answer, which a live run knows only after calling them all";
    }
    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config&) const override {
        return {Params()};
    }
    Decisions route(const data::Dataset& ds, const data::View& rows, const Params&, const Config&) const override {
        const auto& s = ds.models.front().score;
        const auto& l = ds.models.back().score;
        Decisions d(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) d[i] = l[rows[i]] > s[rows[i]] ? 1 : 0;
        return d;
    }
    std::string describe(const Params&, const Config&) const override { return "-"; }
    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const Params&,
                        const Config&) const override {
        const double s = ds.models.front().score[row], l = ds.models.back().score[row];
        const auto [ls, ss] = detail::display_compared(l, s);
        return "large score " + ls + (l > s ? " > " : " ≤ ") + "small score " + ss + " → " + detail::decision_word(l > s);
    }
};

std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finaliser
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

double uniform_for(std::uint64_t seed, data::RowIndex row) {
    return static_cast<double>(mix64(seed * 0x100000001B3ULL ^ row) >> 11) * 0x1.0p-53;
}

class RandomMixMethod : public Method {
  public:
    std::string name() const override { return "random_mix"; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.role = Role::Reference;
        c.tone = Capabilities::Tone::RandomMix;
        return c;
    }
    std::string offline_only() const override {
        return "it escalates by row position in a stored file, a baseline for the cost-quality curve, not a router";
    }
    std::vector<Params> candidates(const data::Dataset&, const data::View&, const Config& cfg) const override {
        return {Params(cfg.random_fraction)};
    }
    Decisions route(const data::Dataset&, const data::View& rows, const Params& p, const Config& cfg) const override {
        const double f = detail::number_param(p, "random_mix fraction");
        Decisions d(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) d[i] = uniform_for(cfg.seed, rows[i]) < f ? 1 : 0;
        return d;
    }
    std::string describe(const Params& p, const Config&) const override {
        return "escalate a random " + detail::format_number(detail::number_param(p, "random_mix fraction")) +
               " of rows";
    }
    std::string explain(const data::Dataset&, const data::View&, data::RowIndex row, const Params& p,
                        const Config& cfg) const override {
        const double f = detail::number_param(p, "random_mix fraction");
        const double u = uniform_for(cfg.seed, row);
        char buf[96];
        std::snprintf(buf, sizeof buf, "random draw %.3f %s fraction %.3f → ", u, u < f ? "<" : "≥", f);
        return buf + std::string(detail::decision_word(u < f));
    }
};

}  // namespace

AUTOMIX_REGISTER_METHOD(always_small, 900, [] { return std::make_shared<ConstantMethod>("always_small", 0); })
AUTOMIX_REGISTER_METHOD(always_large, 1000, [] { return std::make_shared<ConstantMethod>("always_large", 1); })
AUTOMIX_REGISTER_METHOD(oracle, 1100, [] { return std::make_shared<OracleMethod>(); })
AUTOMIX_REGISTER_METHOD(random_mix, 1200, [] { return std::make_shared<RandomMixMethod>(); })

}  // namespace automix::routing
