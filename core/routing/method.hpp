#pragma once
// The one interface every meta-verifier implements (method §6). A method proposes
// candidate parameters from a training view and routes any view with a parameter.
// Parameters are JSON values so that they print, serialise and compare uniformly
// (Threshold: 0.375; DoubleThreshold: [lo, hi]; POMDPSimple: [0,1,...]; ...).
//
// Adding a method = one file core/routing/<name>.cpp that ends with
// AUTOMIX_REGISTER_METHOD (registry.hpp) and declares what it is in capabilities(): its role,
// the controls of its parameter, its chart colour, the wrappers that apply to it.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

    // The file's own costs: one call cost per model of the dataset, its verifier cost.
    static Config for_dataset(const data::Dataset& ds);
};

// What a method is to the rest of the program. Decided here, once, for every caller.
enum class Role {
    Router,     // a meta-verifier: decides from what a live run knows (trained or fixed)
    Baseline,   // a simple fixed rule to compare routers with (drawn and studied like one)
    Reference,  // a point of reference, not a policy to compare: constant routes (always
                // small / large, random mix) and upper bounds that read the scores (oracle).
                // Drawn on their own or left out of curves, studies and per-dataset charts.
};

// One control of the tuning panel (a slider): how a number of the parameter is moved by hand.
struct ParamControl {
    std::string key;              // stable id: the slider is "<key>Slider" ("threshold", "low", "lambda")
    std::string label;            // "threshold t"
    double min = 0, max = 1;      // the range the control covers
    int positions = 1000;         // slider steps from min to max
    bool log_scale = false;       // positions evenly spaced in log(value) (min > 0)
    std::string format = "%.3f";  // printf format of the value shown next to the label
    std::string tooltip;

    // Value at a slider position and the position nearest a value (clamped to the range).
    double value_at(int position) const;
    int position_of(double value) const;
    // "threshold t = 0.375"
    std::string display(double value) const;
};

struct Capabilities {
    Role role = Role::Router;
    // Run by `automix eval` and the studies when no method is named. false for additions of
    // our own that would change the paper's default reports: they run when named (--methods)
    // and are drawn in the GUI's charts.
    bool in_default_set = true;
    // Its lower-case key in derived names ("double_threshold" → "fixed_answer_double_threshold").
    // Empty: the lower-cased name().
    std::string key;
    // The tuning panel's controls, in parameter order. Empty: the panel steps through the
    // trained candidates one by one.
    std::vector<ParamControl> controls;
    // The controls' values never decrease in order (lo ≤ hi): a moved control pushes the others.
    bool ordered_controls = false;
    // Palette slot of its colour and marker in every chart; fixed per method so that adding
    // one recolours none. -1: derived from the name.
    int colour_slot = -1;
    int wrapped_colour_slot = -1;  // the slot of its wrapped variants (FixedAnswerRouting(X))
    // Reference points drawn in a neutral tone of their own instead of a palette colour.
    enum class Tone { Palette, SmallModel, LargeModel, RandomMix, Oracle } tone = Tone::Palette;
    // A view of its own beside the charts ("cascade": belief trajectory and policy table).
    std::string panel;
    // Wrappers (registered with AUTOMIX_REGISTER_WRAPPER) to register around this method,
    // e.g. "fixed_answer".
    std::vector<std::string> wrappers;
    // Drawn on the Verifier tab's lift-vs-samples curve beside the current method.
    bool on_samples_curve = false;
};

// Input a method cannot route (e.g. a confidence outside every bin, a missing answer).
// The message names the row id; the trainer turns it into `ok: false` for that method.
class RoutingError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Method::extra_streamed's answer.
struct StreamedExtra {
    nlohmann::json value;
    std::string rows_key;  // "" when nothing was left out of value
    std::function<void(const std::function<void(const nlohmann::json&)>&)> rows;
    // value with the rows put back: what extra() returns.
    nlohmann::json whole() && {
        if (rows) {
            nlohmann::json elements = nlohmann::json::array();
            rows([&](const nlohmann::json& e) { elements.push_back(e); });
            value[rows_key] = std::move(elements);
        }
        return std::move(value);
    }
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
    // Role, tuning controls, chart colour, wrappers (see Capabilities).
    virtual Capabilities capabilities() const { return {}; }
    // The parameter the tuning controls' values make (in Capabilities::controls order), given
    // the trained candidates; nullopt when the values make none. Default: one control → a
    // number, several → an array of numbers.
    virtual std::optional<Params> params_from_controls(const std::vector<double>& values,
                                                       const std::vector<Params>& candidates) const;
    // The controls' values for a parameter; nullopt when it has no such layout.
    virtual std::optional<std::vector<double>> controls_of(const Params& p) const;
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
    // The per-confidence-bin escalate flags (0/1) a parameter amounts to, when the method's
    // policy is one (POMDPSimple; the POMDP union when it picked that member); null otherwise.
    virtual Params bin_policy(const Params& p) const {
        (void)p;
        return nullptr;
    }
    // Extra per-method data written into the report next to best_param (e.g. a learned
    // table). null = nothing to add.
    virtual nlohmann::json extra(const data::Dataset& ds, const data::View& train, const Params& p,
                                 const Config& cfg) const {
        (void)ds, (void)train, (void)p, (void)cfg;
        return nullptr;
    }
    // extra() for a report written as it goes: `value` is extra() without its member `rows_key`,
    // an array with one element per row (Cascade's belief traces), and `rows` hands that array's
    // elements to a callback in order, computing each when it is written, so that a million rows'
    // elements are never all in memory. `rows` may be called again. Default: extra(), whole.
    virtual StreamedExtra extra_streamed(const data::Dataset& ds, const data::View& train, const Params& p,
                                         const Config& cfg) const {
        return {extra(ds, train, p, cfg), {}, {}};
    }
};

using MethodPtr = std::shared_ptr<const Method>;

// Role tests, the one place that says which methods are routers, baselines or references.
inline bool is_reference(const Method& m) {
    return m.capabilities().role == Role::Reference;
}
// A reference point by report name (false for a name not registered).
bool is_reference(const std::string& method_name);

// Registry by name: exact report keys, case-insensitive, and snake_case aliases
// ("double_threshold", "automix_union" = "POMDP"). Returns null when unknown. The methods
// register themselves (registry.hpp); the order is their registration order key.
MethodPtr find_method(const std::string& name);
std::vector<std::string> method_names();  // all registered, in report order
std::vector<MethodPtr> all_methods();     // same order
// The first registered reference drawn in `tone` (the oracle, the random mix); null when none.
MethodPtr find_reference(Capabilities::Tone tone);
// For methods outside the built-in list (tests, plug-ins); appended at the end.
void register_method(MethodPtr m);

}  // namespace automix::routing
