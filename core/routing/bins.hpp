#pragma once
// Confidence binning and the few numeric routines whose exact rounding the reference
// results depend on (method §6, oracle README quirks 4 and 6). Bin centres are k·gap,
// k = 0..num_bins, computed as `double(k) * gap` like the reference.
#include <cstddef>
#include <vector>

namespace automix::routing {

// Python's float floor division `x // y` (float_floor_div: fmod, then snap), which
// differs from floor(x / y) for gaps that are not powers of two (1.0 // 0.1 == 9.0).
double python_floordiv(double x, double y);

class Bins {
  public:
    explicit Bins(int num_bins);
    int num_bins() const { return num_bins_; }
    int count() const { return num_bins_ + 1; }
    double gap() const { return gap_; }
    double centre(int k) const { return static_cast<double>(k) * gap_; }
    // Nearest bin (routing of every POMDP-style method): first k with
    // centre − gap/2 ≤ p < centre + gap/2, mapped through Python's `centre // gap` as the
    // reference does. −1 when none (p < −gap/2, p ≥ 1 + gap/2, NaN).
    int nearest(double p) const {
        // NaN fails p >= 0 too. Only the bins next to p/gap can match; scan them in the
        // reference's order (lowest first) with its exact comparisons.
        if (!(p >= 0.0) || p > num_bins_ + 2.0) return -1;
        const int k0 = static_cast<int>(p * num_bins_ + 0.5);
        const int first = k0 > 0 ? k0 - 1 : 0;
        const int last = k0 < num_bins_ ? k0 + 1 : num_bins_;
        const double half = gap_ / 2;
        for (int k = first; k <= last; ++k) {
            const double d = p - centre(k);
            if (d < half && d >= -half) return centre_index_[k];
        }
        return -1;
    }
    // POMDPSimple training window of bin k: |p − centre| < gap/2, strict on both sides.
    bool in_training_window(double p, int k) const;
    // GreedyPOMDP training bin: `p // gap` when it is one of 0..num_bins, else −1.
    int floor_bin(double p) const;

  private:
    int num_bins_;
    double gap_;
    std::vector<int> centre_index_;  // Python `centre(k) // gap` for each k
};

// numpy's pairwise summation (np.add.reduce on a contiguous float64 array), so that means
// round exactly like the reference's and ties between candidates break the same way.
double pairwise_sum(const double* a, std::size_t n);
inline double numpy_mean(const std::vector<double>& v) {
    return pairwise_sum(v.data(), v.size()) / static_cast<double>(v.size());
}

// scipy.ndimage.gaussian_filter1d(values, sigma, truncate=4.0, mode="reflect"):
// radius int(truncate·sigma + 0.5), half-sample symmetric boundary (d c b a | a b c d | d c b a),
// same summation order as scipy's symmetric-kernel correlation.
std::vector<double> gaussian_smooth_reflect(const std::vector<double>& values, double sigma, double truncate = 4.0);

}  // namespace automix::routing
