#pragma once
// The one interface every meta-verifier implements (method §6). A method proposes
// candidate parameters from a training view and routes any view with a parameter.
// Parameters are JSON values so that they print, serialise and compare uniformly
// (Threshold: 0.375; DoubleThreshold: [lo, hi]; POMDPSimple: [0,1,...]; ...).
//
// Adding a method = one file core/routing/<name>.cpp defining a factory declared in
// core/routing/methods.hpp + one line in core/routing/registry.cpp (static
// self-registration is dropped by the linker from a static library).
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"

namespace automix::routing {

using Params = nlohmann::json;
// One entry per row of the routed view, in view order: the index of the model whose answer
// is used, within the method's model ladder (see Method::uses_all_models). For the
// two-model methods: 0 = keep the small model's answer, 1 = escalate to the large one.
// Holds any model index (data::kMaxModels is checked at load).
using ModelIndex = data::ModelIndex;
using Decisions = std::vector<ModelIndex>;

struct Config {
    int num_bins = 8;              // gap = 1 / num_bins, bins 0..num_bins
    std::uint64_t seed = 0;        // for randomised baselines
    double random_fraction = 0.5;  // random_mix escalation rate
    // Call cost per model of the ladder and the cost of one verification pass (method §4).
    // Methods that optimise cost themselves (the cascade) read these; the threshold
    // family does not. eval::CostModel is built from the same numbers.
    std::vector<double> call_costs{1.0, 50.0};
    double verifier_cost = 1.0;

    double gap() const { return 1.0 / num_bins; }
};

// Input a method cannot route (e.g. a confidence outside every bin, a missing answer).
// The message names the row id; the trainer turns it into `ok: false` for that method.
class RoutingError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Method {
  public:
    virtual ~Method() = default;
    // Report key, exactly the reference's name ("Threshold", "POMDP", ...).
    virtual std::string name() const = 0;
    // Extra names accepted by find_method (matched case-insensitively, like name()).
    virtual std::vector<std::string> aliases() const { return {}; }
    // false: decisions choose between models.front() (0) and models.back() (1), whatever
    // the number of models. true: decisions index every model of the dataset in order.
    virtual bool uses_all_models() const { return false; }
    // Why the method cannot route a live run ("" = it can): it reads what a live run does
    // not have when it decides (the models' scores) or draws by position in a stored file.
    virtual std::string offline_only() const { return {}; }
    // Whether `automix eval` without --methods runs it on this dataset
    // (FixedAnswerRouting: qasper only).
    virtual bool runs_by_default_on(std::string_view dataset) const {
        (void)dataset;
        return true;
    }
    // Candidate parameters in enumeration order (ties in training go to the first).
    virtual std::vector<Params> candidates(const data::Dataset& ds, const data::View& train,
                                           const Config& cfg) const = 0;
    // Throws RoutingError on input it cannot route.
    virtual Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p,
                            const Config& cfg) const = 0;
    // The same rows under every parameter set, in order: `sink(i, decisions)` for params[i].
    // Methods whose per-row preparation does not depend on the parameters (the cascade's
    // observation bins and history tree) override it to prepare once for a whole curve.
    virtual void route_each(const data::Dataset& ds, const data::View& rows, const std::vector<Params>& params,
                            const Config& cfg, const std::function<void(std::size_t, const Decisions&)>& sink) const;
    // Human-readable parameter text ("t = 0.375"). Default: the JSON text.
    virtual std::string describe(const Params& p, const Config& cfg) const;
    // Why one row got its decision ("conf 0.31 <= threshold 0.375 -> escalate"). `train`
    // is the view the parameters were trained on (may be empty when unknown); methods
    // whose parameters summarise the train rows (POMDPSimple) use it for the details.
    virtual std::string explain(const data::Dataset& ds, const data::View& train, data::RowIndex row, const Params& p,
                                const Config& cfg) const;
    // Extra per-method data written into the report next to best_param (e.g. a learned
    // table). null = nothing to add.
    virtual nlohmann::json extra(const data::Dataset& ds, const data::View& train, const Params& p,
                                 const Config& cfg) const {
        (void)ds, (void)train, (void)p, (void)cfg;
        return nullptr;
    }
};

using MethodPtr = std::shared_ptr<const Method>;

// Registry by name: exact report keys, case-insensitive, and snake_case aliases
// ("double_threshold", "automix_union" = "POMDP"). Returns null when unknown.
MethodPtr find_method(const std::string& name);
std::vector<std::string> method_names();  // all registered, in report order
std::vector<MethodPtr> all_methods();     // same order
// For methods outside the built-in list (tests, plug-ins); appended at the end.
void register_method(MethodPtr m);

}  // namespace automix::routing
