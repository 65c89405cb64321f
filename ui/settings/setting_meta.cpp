#include "ui/settings/setting_meta.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/routing/method.hpp"

namespace automix::ui::settings {

namespace {

SettingMeta real(std::string_view key, std::string label, std::string tooltip, std::string units, double min,
                 double max, double step, double def, int decimals, bool remembered) {
    SettingMeta m;
    m.key = std::string(key);
    m.label = std::move(label);
    m.tooltip = std::move(tooltip);
    m.units = std::move(units);
    m.type = SettingType::Real;
    m.min = min, m.max = max, m.step = step, m.default_value = def;
    m.decimals = decimals;
    m.remembered = remembered;
    return m;
}

SettingMeta integer(std::string_view key, std::string label, std::string tooltip, double min, double max, double def) {
    SettingMeta m = real(key, std::move(label), std::move(tooltip), "", min, max, 1, def, 0, true);
    m.type = SettingType::Integer;
    return m;
}

std::string number(const SettingMeta& m, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", m.type == SettingType::Integer ? 0 : m.decimals, v);
    return buf;
}

// The one table. Costs are not remembered: they come with the file (and a session), and a
// remembered cost would silently re-price the next file.
const std::vector<SettingMeta> kSettings = {
    real(key::SmallCost, "small-model cost", "Cost of one call of the small model", " per call", 0, 1e6, 1, 1, 2, false),
    real(key::MiddleCost, "model cost", "Cost of one call of this model", " per call", 0, 1e6, 1, 10, 2, false),
    real(key::LargeCost, "large-model cost", "Cost of one call of the large model", " per call", 0, 1e6, 1, 50, 2, false),
    real(key::VerifierCost, "verifier cost", "Cost of one self-verification pass (added to every query)", " per query",
         0, 1e6, 1, 1, 2, false),
    real(key::CostRatio, "c_l / c_s", "Cost ratio c_l / c_s of a large-model call to a small-model call", "", 1,
         1e5, 1, 50, 1, false),
    integer(key::StudySizeSeeds, "Seeds", "Random train subsets per size (seeds 0 to n − 1)", 1, 1000, 10),
    integer(key::StudySampleSeeds, "Seeds",
            "Seed 0 uses the first k samples; other seeds draw k samples at random", 1, 1000, 5),
    integer(key::StudySeeds, "Seeds", "Seeds 0 to n − 1, each drawing its own training rows", 1, 1000, 10),
    integer(key::StudyTrainRows, "Train rows", "Training rows per seed (the paper's protocol: 1000)", 1, 10000000, 1000),
    integer(key::StudyBootstrap, "Bootstrap", "Bootstrap replicates of the interval", 0,
            100000, 1000),
    real(key::StudyVerifierLatency, "Verification",
         "Seconds per verification pass (the k samples as one batched request)", " s", 0, 3600, 0.1, 0.8, 3, true),
    // The Verifier tab and the Per dataset tab (ui/charts).
    integer(key::ReliabilityBins, "Bins",
            "Confidence bins of the reliability diagram: n gives bin centres 0, 1/n, …, 1 (each confidence counts "
            "in the nearest); the routing's own bins are set by the method",
            2, 50, 8),
    integer(key::SamplesMaxK, "k up to",
            "Largest number of verifier samples k of the lift-vs-k curve (k = 1 to this; the file has at most 32)", 1,
            32, 32),
    integer(key::PerDatasetSeeds, "Seeds",
            "Seeds of the paper protocol: each draws its own 1000 train rows; the table shows mean ± std", 1, 100, 10),
};

}  // namespace

SettingMeta::Checked SettingMeta::check(double value) const {
    if (!std::isfinite(value))
        return {default_value, Outcome::Rejected, label + ": not a number; kept " + number(*this, default_value)};
    double v = type == SettingType::Integer ? std::round(value) : value;
    if (v < min || v > max) {
        const double kept = std::clamp(v, min, max);
        return {kept, Outcome::Clamped,
                label + ": " + number(*this, v) + (v < min ? " is below the minimum " : " is above the maximum ") +
                    number(*this, kept) + "; set to " + number(*this, kept)};
    }
    return {v, Outcome::Kept, {}};
}

std::string SettingMeta::range_text() const {
    return label + ": " + number(*this, min) + " to " + number(*this, max) + units + "; default " +
           number(*this, default_value);
}

const std::vector<SettingMeta>& all_settings() {
    return kSettings;
}

std::optional<SettingMeta> find_setting(std::string_view key) {
    for (const SettingMeta& m : kSettings)
        if (m.key == key) return m;
    return std::nullopt;
}

const SettingMeta& setting(std::string_view key) {
    for (const SettingMeta& m : kSettings)
        if (m.key == key) return m;
    throw std::out_of_range("no setting \"" + std::string(key) + "\" in ui/settings/setting_meta.cpp");
}

SettingMeta method_setting(const routing::ParamControl& control) {
    SettingMeta m;
    m.key = "method/" + control.key;
    m.label = control.label;
    m.tooltip = control.tooltip;
    m.type = SettingType::Real;
    m.min = control.min;
    m.max = control.max;
    m.positions = std::max(1, control.positions);
    m.step = (control.max - control.min) / m.positions;
    m.log_scale = control.log_scale;
    m.default_value = control.min;
    m.decimals = 3;
    m.remembered = false;  // the trained parameters are the default; a slider is a what-if
    return m;
}

}  // namespace automix::ui::settings
