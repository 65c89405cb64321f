#pragma once
// Hidden "difficulty" categories of method §5.
#include <vector>

#include "core/data/dataset.hpp"

namespace automix::data {

// q-quantile with linear interpolation exactly as numpy.percentile / pandas.quantile
// (default "linear" method), ignoring NaN values; NaN when no value is finite.
double quantile_linear(std::vector<double> values, double q);

// Category of one row given the 10th-percentile cut-offs (first match wins).
Category categorize(double slm, double llm, double q_slm, double q_llm);

// Fills dataset.category for every row whose category did not come from the file,
// using the small (models.front()) and large (models.back()) scores and cut-offs over
// the WHOLE dataset (all datasets and splits together, like the reference).
void compute_categories(Dataset& dataset);

}  // namespace automix::data
