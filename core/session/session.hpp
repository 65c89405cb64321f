#pragma once
// A saved explorer session (`*.automix-session`, versioned JSON): which data file (path and
// SHA-256 of its content), the costs, the method and every parameter set by hand per dataset,
// the table's scope, filters and selection, the open tab, the study settings and result (with
// what it was computed on) and the live config path. Never an API key. The GUI saves and opens
// it; `automix eval --session FILE` reproduces its routing headlessly (session_routing.hpp) with
// the GUI's numbers.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/study/study.hpp"

namespace automix::session {

inline constexpr const char* kSessionFormat = "automix-session";
// Version 2 added the chart zoom, version 3 the study result; older files still open.
inline constexpr int kSessionVersion = 3;
inline constexpr int kOldestSessionVersion = 1;
inline constexpr const char* kSessionSuffix = ".automix-session";
// The data path of a session on the demo compiled into the explorer ("demo:demo.jsonl.gz").
inline constexpr const char* kDemoPrefix = "demo:";

// A session file that cannot be read: the message names the file and the field.
class SessionError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct TableFilter {
    std::string text;              // search text
    std::string category;          // "" = any, else NEEDY / GOOD / HOPELESS / UNDEFINED
    std::string decision = "any";  // any, stayed, escalated
    bool routing_wrong_only = false;
    bool operator==(const TableFilter&) const = default;
};

// A filter another view set (a chart bar): its label and the rows it admits (row indices of
// the file; they only hold for the same content, which the hash checks).
struct LinkedFilter {
    std::string label;
    std::vector<std::size_t> rows;
    bool operator==(const LinkedFilter&) const = default;
};

// The visible ranges of a zoomed chart (its value axes), to restore it as it was.
struct ChartZoom {
    double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
    bool operator==(const ChartZoom&) const = default;
};

// A study result as it was computed, with what it was computed on, so that reopening the
// session shows it again without recomputing. It holds only for the same data content
// (data_sha256) and costs; the GUI drops it, saying why, when either differs.
struct SavedStudy {
    study::StudyResult result;
    std::string data_sha256;            // of the data the study ran on
    std::string data_name;              // its file name, for the label
    std::vector<std::string> datasets;  // the datasets checked (none = all)
    std::vector<std::string> methods;   // the methods checked (none = the defaults)
    std::vector<double> call_costs;     // per model, cheapest first
    double verifier_cost = 1.0;
    int num_bins = 8;
    std::string split = "train/val";  // studies train on the train split, evaluate on val
    std::string computed_at;          // ISO 8601, UTC
    // Compared through their JSON (NaN cells are "not available" on both sides).
    bool operator==(const SavedStudy& o) const;
};

struct Session {
    std::string data_path;           // absolute path, or kDemoPrefix + resource name
    std::string data_relative_path;  // the same file relative to the session's folder ("" for the demo)
    std::string data_sha256;         // of the decompressed content (data::LoadOptions::content_sha256)
    std::string data_format;         // "release" or "native"
    double small_cost = 1.0, large_cost = 50.0, verifier_cost = 1.0;
    std::vector<double> middle_costs;  // the models between the first and the last, in order
    int num_bins = 8;
    std::string method;                                    // "" = no routing
    std::map<std::string, nlohmann::json> manual_params;  // dataset name -> parameters set by hand
    std::string scope_dataset;                             // "" = all datasets
    std::string split = "val";                             // val, train, all
    TableFilter filter;
    std::optional<LinkedFilter> linked_filter;
    std::string selected_row_id;  // "" = none
    std::string open_tab;         // bottom tab title
    std::map<std::string, ChartZoom> chart_zoom;  // chart name -> ranges, for zoomed charts only
    nlohmann::json study = nlohmann::json::object();  // the Studies tab's settings
    std::optional<SavedStudy> study_result;           // the Studies tab's result (version 3)
    std::string live_config_path;                     // models config (keys are never saved)
    bool operator==(const Session&) const = default;

    bool is_demo() const { return data_path.rfind(kDemoPrefix, 0) == 0; }
};

nlohmann::json to_json(const Session& s);
// `source` names the file in error messages ("a.automix-session: field 'costs.small': ...").
Session from_json(const nlohmann::json& j, const std::string& source);
Session read_session(const std::string& path);
// Atomic: the old file stays when writing fails (io::AtomicFileError).
void write_session(const std::string& path, const Session& s);

// Where the session's data is: the recorded path when it exists, else the relative path
// against the session's folder (both moved together), else nullopt (ask the user).
std::optional<std::string> locate_data(const Session& s, const std::string& session_path);
// `data` relative to the folder of `session_path` ("" when it cannot be expressed).
std::string relative_to_session(const std::string& data, const std::string& session_path);

}  // namespace automix::session
