#pragma once
// Helpers shared by the method files (not part of the public API).
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/bins.hpp"
#include "core/routing/method.hpp"

namespace automix::routing::detail {

// Verifier confidence of the small model for a row; RoutingError when absent or NaN.
inline double confidence(const data::Dataset& ds, data::RowIndex r) {
    const auto& col = ds.models.front().verifier_confidence;
    const double p = r < col.size() ? col[r] : std::nan("");
    if (std::isnan(p))
        throw RoutingError("row " + (r < ds.id.size() ? std::string(ds.id[r]) : std::to_string(r)) + ": no verifier confidence");
    return p;
}

// Confidences of a view gathered into a contiguous array (one validation pass, then the
// routing loops run over plain doubles: writing uint8 decisions would otherwise force the
// compiler to reload the dataset's column pointers on every row).
std::vector<double> confidences(const data::Dataset& ds, const data::View& rows);

inline std::string row_name(const data::Dataset& ds, data::RowIndex r) {
    return r < ds.id.size() ? std::string(ds.id[r]) : std::to_string(r);
}

// Shortest text that reads back as the same double ("0.375", "0.3333333333333333").
std::string format_number(double x);

// Numbers a person reads in a reason ("conf 0.367 ≤ threshold 0.4"): 3 significant digits.
std::string display_number(double x);
// Two numbers a reason compares: 3 significant digits, more only when fewer would print two
// different values the same ("0.3671 > 0.3668", never "0.367 > 0.367").
std::pair<std::string, std::string> display_compared(double a, double b);

// Parameter accessors with a clear error for a malformed value.
double number_param(const Params& p, const char* what);
std::vector<double> numbers_param(const Params& p, std::size_t count, const char* what);
std::vector<int> flags_param(const Params& p, std::size_t count, const char* what);

// Shared by the per-bin flag methods (GreedyPOMDP, POMDPSimple): escalate a row iff its
// nearest bin is flagged 1; `what` names the parameter in error messages.
Decisions route_by_bin_flags(const data::Dataset& ds, const data::View& rows, const Params& p, const Bins& bins,
                             const char* what);
// "escalate bins {0, 3}" for a per-bin 0/1 flag parameter.
std::string describe_bin_flags(const Params& p, const Bins& bins, const char* what);

inline const char* decision_word(bool escalate) {
    return escalate ? "escalate" : "keep small";
}

}  // namespace automix::routing::detail
