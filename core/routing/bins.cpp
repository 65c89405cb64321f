#include "core/routing/bins.hpp"

#include <cmath>
#include <stdexcept>

namespace automix::routing {

double python_floordiv(double x, double y) {
    // CPython's _float_div_mod: exact fmod, then snap the quotient to an integer.
    double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0.0) {
        if ((y < 0) != (mod < 0)) div -= 1.0;
    }
    if (div != 0.0) {
        double floordiv = std::floor(div);
        if (div - floordiv > 0.5) floordiv += 1.0;
        return floordiv;
    }
    return std::copysign(0.0, x / y);
}

Bins::Bins(int num_bins) : num_bins_(num_bins) {
    if (num_bins < 1) throw std::invalid_argument("num_bins must be at least 1");
    gap_ = 1.0 / num_bins;
    centre_index_.resize(static_cast<std::size_t>(num_bins) + 1);
    for (int k = 0; k <= num_bins; ++k) centre_index_[k] = static_cast<int>(python_floordiv(centre(k), gap_));
}

bool Bins::in_training_window(double p, int k) const {
    const double d = p - centre(k);
    return d < gap_ / 2 && d > -gap_ / 2;
}

int Bins::floor_bin(double p) const {
    if (std::isnan(p)) return -1;
    const double f = python_floordiv(p, gap_);
    if (f < 0.0 || f > num_bins_ || f != std::floor(f)) return -1;
    return static_cast<int>(f);
}

double pairwise_sum(const double* a, std::size_t n) {
    // Mirrors numpy's pairwise_sum for float64 (block 128, 8 accumulators).
    if (n < 8) {
        double res = 0.0;
        for (std::size_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; ++j) r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

std::vector<double> gaussian_smooth_reflect(const std::vector<double>& values, double sigma, double truncate) {
    const std::size_t n = values.size();
    if (n == 0) return {};
    const int radius = static_cast<int>(truncate * sigma + 0.5);
    // Kernel as scipy builds it: exp(polyval(x)) with polyval's Horner order, normalised by
    // numpy's (pairwise) sum.
    const double c = -0.5 / (sigma * sigma);
    std::vector<double> w(2 * static_cast<std::size_t>(radius) + 1);
    for (int x = -radius; x <= radius; ++x) {
        const double xd = x;
        w[x + radius] = std::exp(0.0 + (0.0 + c * xd) * xd);
    }
    const double total = pairwise_sum(w.data(), w.size());
    for (double& v : w) v /= total;
    // Half-sample symmetric extension, periodic with period 2n.
    const long long period = 2 * static_cast<long long>(n);
    auto at = [&](long long i) {
        long long m = i % period;
        if (m < 0) m += period;
        if (m >= static_cast<long long>(n)) m = period - 1 - m;
        return values[static_cast<std::size_t>(m)];
    };
    std::vector<double> out(n);
    for (std::size_t l = 0; l < n; ++l) {
        const long long i = static_cast<long long>(l);
        double acc = values[l] * w[radius];
        for (int jj = -radius; jj < 0; ++jj) acc += (at(i + jj) + at(i - jj)) * w[jj + radius];
        out[l] = acc;
    }
    return out;
}

}  // namespace automix::routing
