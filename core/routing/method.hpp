#pragma once
// The one interface every meta-verifier implements (spec §6). A method proposes
// candidate parameters from a training view and routes any view with a parameter.
// Parameters are JSON values so that they print, serialise and compare uniformly
// (Threshold: 0.375; DoubleThreshold: [lo, hi]; POMDPSimple: [0,1,...]; ...).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"

namespace automix::routing {

using Params = nlohmann::json;
// 1 = escalate to the large model, 0 = keep the small model's answer; aligned with the view.
using Decisions = std::vector<std::uint8_t>;

struct Config {
    int num_bins = 8;            // gap = 1 / num_bins, bins 0..num_bins
    std::uint64_t seed = 0;      // for randomised baselines
    double random_fraction = 0.5;  // random_mix default escalation rate
};

class Method {
  public:
    virtual ~Method() = default;
    // Report key, exactly the reference's name ("Threshold", "POMDP", ...).
    virtual std::string name() const = 0;
    // Candidate parameters in enumeration order (ties in training go to the first).
    virtual std::vector<Params> candidates(const data::Dataset& ds, const data::View& train,
                                           const Config& cfg) const = 0;
    virtual Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p,
                            const Config& cfg) const = 0;
    // Human-readable parameter text ("t = 0.375").
    virtual std::string describe(const Params& p, const Config& cfg) const;
    // Why one row got its decision ("conf 0.31 <= threshold 0.375 -> escalate").
    virtual std::string explain(const data::Dataset& ds, data::RowIndex row, const Params& p,
                                const Config& cfg) const;
};

using MethodPtr = std::shared_ptr<const Method>;

// Registry by name: exact report keys, case-insensitive, and snake_case aliases
// ("double_threshold", "automix_union" = "POMDP").
MethodPtr find_method(const std::string& name);
std::vector<std::string> method_names();  // all registered, in report order
void register_method(MethodPtr m, std::vector<std::string> aliases = {});

}  // namespace automix::routing
