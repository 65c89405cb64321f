#pragma once
// A small, fully specified PRNG for the demo generator. The standard library's
// distributions are implementation-defined, so we derive every number ourselves with
// integer arithmetic and exact IEEE operations: the same seed gives the same bytes on
// every platform and compiler.
#include <cstddef>
#include <cstdint>
#include <vector>

// Fused multiply-add would change last bits on some CPUs and so the bytes we write;
// GCC in ISO mode does not contract, Clang needs to be told.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace automix::demo {

// SplitMix64 step: used to seed streams and to hash (seed, stream id) pairs.
inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) {
        for (auto& word : s_) word = splitmix64(seed);
    }
    // An independent stream for (seed, a, b), e.g. (seed, dataset, row).
    static Rng stream(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
        std::uint64_t h = seed;
        std::uint64_t mixed = splitmix64(h) ^ (a * 0xD6E8FEB86659FD93ULL);
        mixed = splitmix64(mixed) ^ (b * 0xA0761D6478BD642FULL);
        return Rng(splitmix64(mixed));
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, 1) with 53 random bits (exact: an integer times 2^-53).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    bool chance(double p) { return uniform() < p; }
    // Uniform integer in [0, n), n > 0 (Lemire's method would be faster; the modulo bias
    // of a 64-bit draw over tiny n is far below anything the demo data could show).
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    // Approximately standard normal: Irwin–Hall sum of 4 uniforms, rescaled. Avoids
    // log/cos, whose last bits differ between C libraries.
    double normal() {
        const double sum = uniform() + uniform() + uniform() + uniform();
        return (sum - 2.0) * 1.7320508075688772;  // sd of the sum is 1/sqrt(3)
    }
    template <class T>
    const T& pick(const std::vector<T>& items) {
        return items[below(items.size())];
    }
    template <class T, std::size_t N>
    const T& pick(const T (&items)[N]) {
        return items[below(N)];
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

}  // namespace automix::demo
