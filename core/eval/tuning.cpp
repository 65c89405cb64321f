#include "core/eval/tuning.hpp"

#include <limits>
#include <string>

namespace automix::eval {

TuningKind tuning_kind(const routing::Method& m) {
    const std::string name = m.name();
    if (name == "Threshold" || name == "SelfConsistency" || name == "FixedAnswerRouting(Threshold)")
        return TuningKind::Threshold;
    if (name == "DoubleThreshold" || name == "FixedAnswerRouting(DoubleThreshold)") return TuningKind::Range;
    if (name == "Cascade") return TuningKind::Lambda;
    return TuningKind::Candidates;
}

routing::Params threshold_params(double t) {
    return routing::Params(t);
}

routing::Params range_params(double lo, double hi) {
    return routing::Params::array({lo, hi});
}

std::optional<double> threshold_of(const routing::Params& p) {
    if (p.is_number()) return p.get<double>();
    return std::nullopt;
}

std::optional<std::pair<double, double>> range_of(const routing::Params& p) {
    if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number())
        return std::make_pair(p[0].get<double>(), p[1].get<double>());
    return std::nullopt;
}

std::optional<double> lambda_of(const routing::Params& p) {
    if (p.is_object() && p.contains("lambda") && p["lambda"].is_number()) return p["lambda"].get<double>();
    return std::nullopt;
}

std::optional<std::size_t> candidate_for_lambda(const std::vector<routing::Params>& candidates, double lambda) {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto lo = lambda_of(candidates[i]);
        if (!lo) continue;
        const routing::Params& p = candidates[i];
        const double hi = p.contains("lambda_hi") && p["lambda_hi"].is_number()
                              ? p["lambda_hi"].get<double>()
                              : std::numeric_limits<double>::infinity();
        if (*lo <= lambda && lambda < hi) return i;
    }
    return std::nullopt;
}

}  // namespace automix::eval
