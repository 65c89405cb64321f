#pragma once
// GreedyPOMDP's learned pieces, exposed for tests and the GUI (method §6).
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/bins.hpp"

namespace automix::routing {

struct GreedyGains {
    std::vector<std::size_t> rows;  // train rows per floor bin
    std::vector<double> raw;        // mean(llm − slm) per floor bin, 0 when empty
    std::vector<double> smoothed;   // Gaussian σ = 2, radius 8, reflect
    std::vector<int> order;         // bins by smoothed gain descending, ties → higher bin first
};

GreedyGains greedy_gains(const data::Dataset& ds, const data::View& train, const Bins& bins);

}  // namespace automix::routing
