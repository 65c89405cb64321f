#pragma once
// POMDPSimple's learned pieces, exposed for tests and the GUI (method §6).
#include <array>
#include <cstdint>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/bins.hpp"

namespace automix::routing {

struct ObservationRow {
    std::size_t rows = 0;                            // train rows in the bin's (strict) window
    std::array<std::size_t, 3> counts{};             // NEEDY, GOOD, HOPELESS
    double p_needy = 0, p_good = 0, p_hopeless = 0;  // counts / rows (UNDEFINED in rows); 0 if empty
};

// One row per bin k: train rows with |p − k·gap| < gap/2.
std::vector<ObservationRow> observation_table(const data::Dataset& ds, const data::View& train, const Bins& bins);

struct BinValues {
    double stay = 0, escalate = 0;
};
// stay = −r·pN + 0·pG + (−r−1)·pH, escalate = −100·pN − 100·pG + (−r−100)·pH, summed in
// the reference's order.
BinValues bin_values(const ObservationRow& o, int reward);
// 0/1 per bin: escalate iff escalate > stay.
std::vector<std::uint8_t> policy_for_reward(const std::vector<ObservationRow>& table, int reward);
inline constexpr int kPomdpRewards = 5000;  // r = 0..4999

// Order in which CPython iterates a set built by inserting `items` (tuples of small
// non-negative ints) in the given order — how the reference lists POMDPSimple's
// candidates. Returns positions into `items`, which must be distinct.
std::vector<std::size_t> python_set_order(const std::vector<std::vector<std::uint8_t>>& items);

}  // namespace automix::routing
