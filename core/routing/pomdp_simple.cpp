// POMDPSimple: per bin, the share of NEEDY / GOOD / HOPELESS train rows in a strict window
// around the bin centre; each reward r = 0..4999 gives a stay/escalate policy per bin and
// the distinct policies are the candidates. Routing: escalate iff the row's nearest bin is
// marked 1.
#include "core/routing/pomdp_simple.hpp"

#include <map>

#include "core/routing/common.hpp"
#include "core/routing/methods.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {

std::vector<ObservationRow> observation_table(const data::Dataset& ds, const data::View& train, const Bins& bins) {
    std::vector<ObservationRow> table(static_cast<std::size_t>(bins.count()));
    for (const data::RowIndex r : train) {
        const double p = detail::confidence(ds, r);
        if (r >= ds.category.size()) throw RoutingError("row " + detail::row_name(ds, r) + ": no category");
        const data::Category cat = ds.category[r];
        for (int k = 0; k < bins.count(); ++k) {
            if (!bins.in_training_window(p, k)) continue;
            ObservationRow& o = table[k];
            ++o.rows;
            if (cat == data::Category::Needy)
                ++o.counts[0];
            else if (cat == data::Category::Good)
                ++o.counts[1];
            else if (cat == data::Category::Hopeless)
                ++o.counts[2];
        }
    }
    for (ObservationRow& o : table) {
        if (o.rows == 0) continue;
        const double n = static_cast<double>(o.rows);
        o.p_needy = static_cast<double>(o.counts[0]) / n;
        o.p_good = static_cast<double>(o.counts[1]) / n;
        o.p_hopeless = static_cast<double>(o.counts[2]) / n;
    }
    return table;
}

BinValues bin_values(const ObservationRow& o, int reward) {
    const double r = reward;
    BinValues v;
    v.stay = ((0.0 + o.p_needy * -r) + o.p_good * 0.0) + o.p_hopeless * (-r - 1.0);
    v.escalate = ((0.0 + o.p_needy * -100.0) + o.p_good * -100.0) + o.p_hopeless * (-r - 100.0);
    return v;
}

std::vector<std::uint8_t> policy_for_reward(const std::vector<ObservationRow>& table, int reward) {
    std::vector<std::uint8_t> out(table.size());
    for (std::size_t k = 0; k < table.size(); ++k) {
        const BinValues v = bin_values(table[k], reward);
        out[k] = v.escalate > v.stay ? 1 : 0;  // argmax: ties go to "stay"
    }
    return out;
}

namespace {

std::uint64_t python_tuple_hash(const std::vector<std::uint8_t>& t) {
    // CPython ≥ 3.8 tuplehash (xxHash-style); hash(small int) is the int itself.
    constexpr std::uint64_t p1 = 11400714785074694791ULL, p2 = 14029467366897019727ULL, p5 = 2870177450012600261ULL;
    std::uint64_t acc = p5;
    for (const std::uint8_t x : t) {
        acc += static_cast<std::uint64_t>(x) * p2;
        acc = (acc << 31) | (acc >> 33);
        acc *= p1;
    }
    acc += static_cast<std::uint64_t>(t.size()) ^ (p5 ^ 3527539ULL);
    if (acc == ~std::uint64_t{0}) return 1546275796;
    return acc;
}

struct Slot {
    bool used = false;
    std::uint64_t hash = 0;
    std::size_t item = 0;
};

// CPython setobject.c: linear probes of 9, then perturbed jumps.
void insert_clean(std::vector<Slot>& table, std::uint64_t hash, std::size_t item) {
    const std::uint64_t mask = table.size() - 1;
    std::uint64_t perturb = hash;
    std::uint64_t i = hash & mask;
    for (;;) {
        const std::uint64_t probes = (i + 9 <= mask) ? 9 : 0;
        for (std::uint64_t j = 0; j <= probes; ++j) {
            Slot& s = table[i + j];
            if (!s.used) {
                s = {true, hash, item};
                return;
            }
        }
        perturb >>= 5;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

}  // namespace

std::vector<std::size_t> python_set_order(const std::vector<std::vector<std::uint8_t>>& items) {
    std::vector<Slot> table(8);
    std::size_t fill = 0;
    for (std::size_t n = 0; n < items.size(); ++n) {
        insert_clean(table, python_tuple_hash(items[n]), n);
        ++fill;
        const std::size_t mask = table.size() - 1;
        if (fill * 5 < mask * 3) continue;
        const std::size_t minused = fill > 50000 ? fill * 2 : fill * 4;
        std::size_t newsize = 8;
        while (newsize <= minused) newsize <<= 1;
        std::vector<Slot> bigger(newsize);
        for (const Slot& s : table)
            if (s.used) insert_clean(bigger, s.hash, s.item);
        table.swap(bigger);
    }
    std::vector<std::size_t> order;
    for (const Slot& s : table)
        if (s.used) order.push_back(s.item);
    return order;
}

namespace {

class PomdpSimpleMethod : public Method {
  public:
    std::string name() const override { return "POMDPSimple"; }
    std::vector<std::string> aliases() const override { return {"pomdp_simple"}; }
    Capabilities capabilities() const override {
        Capabilities c;
        c.key = "pomdp_simple";
        c.colour_slot = 4;
        c.wrapped_colour_slot = 10;
        c.wrappers = {"fixed_answer"};
        return c;
    }
    Params bin_policy(const Params& p) const override { return p; }

    std::vector<Params> candidates(const data::Dataset& ds, const data::View& train, const Config& cfg) const override {
        const Bins bins(cfg.num_bins);
        const auto table = observation_table(ds, train, bins);
        std::vector<std::vector<std::uint8_t>> distinct;
        std::map<std::vector<std::uint8_t>, bool> seen;
        for (int r = 0; r < kPomdpRewards; ++r) {
            auto policy = policy_for_reward(table, r);
            if (seen.emplace(policy, true).second) distinct.push_back(std::move(policy));
        }
        std::vector<Params> out;
        for (const std::size_t i : python_set_order(distinct)) {
            Params p = Params::array();
            for (const std::uint8_t f : distinct[i]) p.push_back(static_cast<int>(f));
            out.push_back(std::move(p));
        }
        return out;
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p,
                    const Config& cfg) const override {
        return detail::route_by_bin_flags(ds, rows, p, Bins(cfg.num_bins), "POMDPSimple parameter");
    }

    std::string describe(const Params& p, const Config& cfg) const override {
        return detail::describe_bin_flags(p, Bins(cfg.num_bins), "POMDPSimple parameter");
    }

    std::string explain(const data::Dataset& ds, const data::View& train, data::RowIndex row, const Params& p,
                        const Config& cfg) const override {
        const Bins bins(cfg.num_bins);
        const auto flags = detail::flags_param(p, bins.count(), "POMDPSimple parameter");
        const double c = detail::confidence(ds, row);
        const int b = bins.nearest(c);
        if (b < 0 || b >= bins.count()) return "conf " + detail::display_number(c) + " is in no bin → cannot route";
        const bool esc = flags[b] != 0;
        std::string s = "conf " + detail::display_number(c) + " → bin " + std::to_string(b) + " (centre " +
                        detail::display_number(bins.centre(b)) + ")";
        if (!train.empty()) {
            const auto table = observation_table(ds, train, bins);
            const ObservationRow& o = table[b];
            char buf[160];
            std::snprintf(buf, sizeof buf, ": %zu train rows, pN %.3f pG %.3f pH %.3f", o.rows, o.p_needy, o.p_good,
                          o.p_hopeless);
            s += buf;
            // The policy came from some reward r; show the values at the first such r.
            std::vector<std::uint8_t> want(flags.begin(), flags.end());
            for (int r = 0; r < kPomdpRewards; ++r) {
                if (policy_for_reward(table, r) != want) continue;
                const BinValues v = bin_values(o, r);
                std::snprintf(buf, sizeof buf, "; at reward r = %d: stay %.3f, escalate %.3f", r, v.stay, v.escalate);
                s += buf;
                break;
            }
        }
        return s + " → " + detail::decision_word(esc);
    }

    nlohmann::json extra(const data::Dataset& ds, const data::View& train, const Params&,
                         const Config& cfg) const override {
        const auto table = observation_table(ds, train, Bins(cfg.num_bins));
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& o : table)
            rows.push_back(
                {{"rows", o.rows}, {"p_needy", o.p_needy}, {"p_good", o.p_good}, {"p_hopeless", o.p_hopeless}});
        return {{"observation_table", rows}};
    }
};

}  // namespace

MethodPtr make_pomdp_simple() {
    return std::make_shared<PomdpSimpleMethod>();
}

AUTOMIX_REGISTER_METHOD(pomdp_simple, 500, make_pomdp_simple)

}  // namespace automix::routing
