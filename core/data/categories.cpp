#include "core/data/categories.hpp"

#include <algorithm>
#include <cmath>

namespace automix::data {

double quantile_linear(std::vector<double> values, double q) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
    if (values.empty()) return kMissing;
    std::sort(values.begin(), values.end());
    const double n = static_cast<double>(values.size());
    // numpy >= 1.22 "linear": virtual index (n - 1)*q, then lerp(a, b, g) = a + (b - a)*g,
    // or b - (b - a)*(1 - g) when g >= 0.5 (same floating-point steps as numpy).
    const double virtual_index = (n - 1.0) * q;
    const double floor_index = std::floor(virtual_index);
    const double gamma = virtual_index - floor_index;
    const auto last = static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::clamp(floor_index, 0.0, last));
    const auto hi = static_cast<std::size_t>(std::clamp(floor_index + 1.0, 0.0, last));
    const double a = values[lo], b = values[hi];
    const double diff = b - a;
    return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

Category categorize(double slm, double llm, double q_slm, double q_llm) {
    if (std::isnan(slm) || std::isnan(llm)) return Category::Undefined;
    if (slm < llm) return Category::Needy;
    if (slm == llm && slm != 0) return Category::Good;
    if (slm <= q_slm && llm <= q_llm) return Category::Hopeless;
    return Category::Undefined;
}

void compute_categories(Dataset& d) {
    const std::size_t n = d.size();
    d.category.resize(n, Category::Undefined);
    d.category_from_file.resize(n, 0);
    if (d.models.empty()) return;
    const auto& slm = d.models.front().score;
    const auto& llm = d.models.back().score;
    const double q_slm = quantile_linear(slm, 0.1);
    const double q_llm = quantile_linear(llm, 0.1);
    for (std::size_t r = 0; r < n; ++r)
        if (!d.category_from_file[r]) d.category[r] = categorize(slm[r], llm[r], q_slm, q_llm);
}

}  // namespace automix::data
