#pragma once
// What the GUI knows about each user-facing number: type, range, step, default, units, label,
// tooltip and its QSettings key — in one table (setting_meta.cpp), in the spirit of
// QGroundControl's FactMetaData. No Qt here: the table and its validation are plain C++, so a
// test (or another front end) can check them without widgets. Persistence and widgets are in
// ui/settings/settings.hpp.
//
// To add a setting: one row in kSettings (setting_meta.cpp); a widget then gets everything from
// Settings::spinBox / Settings::configure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace automix::routing {
struct ParamControl;
}

namespace automix::ui::settings {

enum class SettingType { Real, Integer };

struct SettingMeta {
    std::string key;      // the QSettings key, also the setting's id ("study/seeds")
    std::string label;    // shown next to the control ("Seeds")
    std::string tooltip;  // what it means
    std::string units;    // shown after the value (" s", " per call"); "" = none
    SettingType type = SettingType::Real;
    double min = 0, max = 1;
    double step = 1;  // the spin box's arrow step
    double default_value = 0;
    int decimals = 2;         // Real only
    bool remembered = false;  // kept in QSettings between runs (costs belong to the file and the session)
    bool log_scale = false;   // method parameters: slider positions evenly spaced in log(value)
    int positions = 0;        // method parameters: slider steps from min to max

    enum class Outcome { Kept, Clamped, Rejected };
    struct Checked {
        double value = 0;  // what is kept: the input, the nearest bound, or the default
        Outcome outcome = Outcome::Kept;
        std::string message;  // why it is not the input; "" when kept
    };
    // Validation of a value typed or read back: inside the range (integers rounded) it is kept;
    // outside, clamped to the nearest bound; NaN or infinity rejected (the default is kept).
    Checked check(double value) const;
    // "Seeds: 1 to 1000; default 10"
    std::string range_text() const;
};

// Every setting of the GUI, in one table.
const std::vector<SettingMeta>& all_settings();
// The setting with this key; nullopt when there is none.
std::optional<SettingMeta> find_setting(std::string_view key);
// The setting with this key; throws std::out_of_range naming the key when there is none (a
// typo in the code, never user input).
const SettingMeta& setting(std::string_view key);

// A method's slider (its Capabilities controls schema) as a setting "method/<key>": the tuning
// panel builds its controls from this, through the same metadata as every other setting.
SettingMeta method_setting(const routing::ParamControl& control);

// Keys of the settings in the table (typos are compile errors).
namespace key {
inline constexpr std::string_view SmallCost = "costs/small";
inline constexpr std::string_view LargeCost = "costs/large";
inline constexpr std::string_view MiddleCost = "costs/middle";  // each model between the smallest and the largest
inline constexpr std::string_view VerifierCost = "costs/verifier";
inline constexpr std::string_view CostRatio = "tuning/costRatio";
inline constexpr std::string_view StudySizeSeeds = "study/sizeSeeds";
inline constexpr std::string_view StudySampleSeeds = "study/sampleSeeds";
inline constexpr std::string_view StudySeeds = "study/seeds";
inline constexpr std::string_view StudyTrainRows = "study/trainRows";
inline constexpr std::string_view StudyBootstrap = "study/bootstrap";
inline constexpr std::string_view StudyVerifierLatency = "study/verifierLatency";
inline constexpr std::string_view ReliabilityBins = "charts/reliabilityBins";
inline constexpr std::string_view SamplesMaxK = "charts/samplesMaxK";
inline constexpr std::string_view PerDatasetSeeds = "charts/perDatasetSeeds";
// Remembered choices that are not numbers (no row in the table: their values are names and
// paths, checked where they are used). The window layout (window/…, view/…, table/header…) is
// MainWindow's own, saved and restored in main_window.cpp.
inline constexpr std::string_view Method = "routing/method";
inline constexpr std::string_view Theme = "view/theme";
inline constexpr std::string_view RecentFiles = "recentFiles";
inline constexpr std::string_view LastFile = "load/lastFile";
inline constexpr std::string_view SessionDir = "session/lastDir";
}  // namespace key

}  // namespace automix::ui::settings
