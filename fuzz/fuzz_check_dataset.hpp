#pragma once
// What every successfully loaded dataset must satisfy, whatever the input bytes were.
#include <cmath>

#include "core/data/dataset.hpp"
#include "fuzz_scratch.hpp"

namespace fuzz {

inline void check_dataset(const automix::data::Dataset& d) {
    const std::size_t n = d.size();
    require(d.pid.size() == n && d.question.size() == n && d.gold.size() == n);
    require(d.split.size() == n && d.category.size() == n && d.source_line.size() == n);
    require(d.dataset_index.size() == n);
    require(d.model_count() >= 1);  // one-model files load; eval refuses them later
    for (std::size_t r = 0; r < n; ++r) {
        require(d.dataset_index[r] < d.dataset_names.size());
        (void)d.context(static_cast<automix::data::RowIndex>(r));
    }
    for (const auto& m : d.models) {
        require(m.score.size() == n && m.verifier_confidence.size() == n && m.answer.size() == n);
        for (double s : m.score) require(!std::isinf(s));
    }
}

}  // namespace fuzz
