#include "core/session/session.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/io/atomic_file.hpp"

namespace automix::session {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Reads typed fields of one JSON object, naming the field path in every error.
class Fields {
  public:
    Fields(const json& object, std::string source, std::string prefix)
        : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {
        if (!object_.is_object()) fail("", "expected an object");
    }
    [[noreturn]] void fail(const std::string& field, const std::string& why) const {
        const std::string name = prefix_.empty() ? field : (field.empty() ? prefix_ : prefix_ + "." + field);
        throw SessionError(source_ + (name.empty() ? "" : ": field '" + name + "'") + ": " + why);
    }
    const json* find(const char* field) const {
        const auto it = object_.find(field);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }
    std::string text(const char* field, std::string fallback = {}) const {
        const json* v = find(field);
        if (!v) return fallback;
        if (!v->is_string()) fail(field, "expected a string, got " + v->dump());
        return v->get<std::string>();
    }
    std::vector<double> numbers(const char* field) const {  // absent: none
        std::vector<double> out;
        const json* v = find(field);
        if (!v) return out;
        if (!v->is_array()) fail(field, "expected an array of numbers, got " + v->dump());
        for (const json& x : *v) {
            if (!x.is_number() || !(x.get<double>() >= 0) || !std::isfinite(x.get<double>()))
                fail(field, "expected non-negative numbers, got " + x.dump());
            out.push_back(x.get<double>());
        }
        return out;
    }
    double number(const char* field, double fallback) const {
        const json* v = find(field);
        if (!v) return fallback;
        if (!v->is_number()) fail(field, "expected a number, got " + v->dump());
        const double x = v->get<double>();
        if (!(x >= 0) || !std::isfinite(x)) fail(field, "expected a non-negative number, got " + v->dump());
        return x;
    }
    int integer(const char* field, int fallback, int lo, int hi) const {
        const json* v = find(field);
        if (!v) return fallback;
        if (!v->is_number_integer() || v->get<long long>() < lo || v->get<long long>() > hi)
            fail(field, "expected an integer " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + v->dump());
        return v->get<int>();
    }
    bool flag(const char* field) const {
        const json* v = find(field);
        if (!v) return false;
        if (!v->is_boolean()) fail(field, "expected true or false, got " + v->dump());
        return v->get<bool>();
    }
    Fields object(const char* field) const {
        const json* v = find(field);
        static const json empty = json::object();
        return Fields(v ? *v : empty, source_, prefix_.empty() ? field : prefix_ + "." + field);
    }
    const std::string& source() const { return source_; }

  private:
    const json& object_;
    std::string source_;
    std::string prefix_;
};

std::string one_of(const Fields& f, const char* field, std::string fallback, std::initializer_list<const char*> allowed) {
    const std::string v = f.text(field, fallback);
    std::string list;
    for (const char* a : allowed) {
        if (v == a) return v;
        list += (list.empty() ? "" : ", ") + std::string(a);
    }
    f.fail(field, "expected one of " + list + ", got '" + v + "'");
}

json saved_study_json(const SavedStudy& st) {
    return {{"data", {{"sha256", st.data_sha256}, {"name", st.data_name}}},
            {"datasets", st.datasets},
            {"methods", st.methods},
            {"costs", {{"calls", st.call_costs}, {"verifier", st.verifier_cost}}},
            {"num_bins", st.num_bins},
            {"split", st.split},
            {"computed_at", st.computed_at},
            {"result", study::study_to_json(st.result)}};
}

SavedStudy saved_study_from(const Fields& f) {
    SavedStudy st;
    const Fields data = f.object("data");
    st.data_sha256 = data.text("sha256");
    if (st.data_sha256.size() != 64) data.fail("sha256", "expected 64 hex digits (the data the study ran on)");
    st.data_name = data.text("name");
    auto texts = [&f](const char* field) {
        std::vector<std::string> out;
        if (const json* v = f.find(field)) {
            if (!v->is_array()) f.fail(field, "expected an array of names");
            for (const json& x : *v) {
                if (!x.is_string()) f.fail(field, "expected names, got " + x.dump());
                out.push_back(x.get<std::string>());
            }
        }
        return out;
    };
    st.datasets = texts("datasets");
    st.methods = texts("methods");
    const Fields costs = f.object("costs");
    st.call_costs = costs.numbers("calls");
    st.verifier_cost = costs.number("verifier", st.verifier_cost);
    st.num_bins = f.integer("num_bins", st.num_bins, 1, 200);
    st.split = f.text("split", st.split);
    st.computed_at = f.text("computed_at");
    const json* result = f.find("result");
    if (!result) f.fail("result", "missing: the study result");
    try {
        st.result = study::study_from_json(*result);
    } catch (const std::invalid_argument& e) {
        // "field 'chart.kind': ..." → "field 'study_result.result.chart.kind': ..."
        std::string why = e.what();
        const std::string mark = "field '";
        if (why.rfind(mark, 0) == 0) why.insert(mark.size(), "study_result.result.");
        throw SessionError(f.source() + ": " + why);
    }
    return st;
}

}  // namespace

bool SavedStudy::operator==(const SavedStudy& o) const {
    return saved_study_json(*this).dump() == saved_study_json(o).dump();  // NaN dumps as null
}

json to_json(const Session& s) {
    json manual = json::object();
    for (const auto& [name, params] : s.manual_params) manual[name] = params;
    json j = {
        {"format", kSessionFormat},
        {"version", kSessionVersion},
        {"data",
         {{"path", s.data_path},
          {"relative_path", s.data_relative_path},
          {"sha256", s.data_sha256},
          {"format", s.data_format}}},
        {"costs", {{"small", s.small_cost}, {"large", s.large_cost}, {"verifier", s.verifier_cost}, {"middle", s.middle_costs}}},
        {"routing", {{"method", s.method}, {"num_bins", s.num_bins}, {"manual_params", manual}}},
        {"view",
         {{"dataset", s.scope_dataset},
          {"split", s.split},
          {"filter",
           {{"text", s.filter.text},
            {"category", s.filter.category},
            {"decision", s.filter.decision},
            {"routing_wrong_only", s.filter.routing_wrong_only}}},
          {"selected_row", s.selected_row_id},
          {"tab", s.open_tab}}},
        {"study", s.study},
        {"live", {{"config_path", s.live_config_path}}},
    };
    if (!s.chart_zoom.empty()) {
        json zoom = json::object();
        for (const auto& [chart, z] : s.chart_zoom) zoom[chart] = {{"x", {z.x_min, z.x_max}}, {"y", {z.y_min, z.y_max}}};
        j["view"]["chart_zoom"] = zoom;
    }
    if (s.study_result) j["study_result"] = saved_study_json(*s.study_result);
    if (s.linked_filter)
        j["view"]["linked_filter"] = {{"label", s.linked_filter->label}, {"rows", s.linked_filter->rows}};
    return j;
}

Session from_json(const json& j, const std::string& source) {
    const Fields top(j, source, "");
    if (top.text("format") != kSessionFormat)
        top.fail("format", std::string("expected \"") + kSessionFormat + "\" (not an AutoMix session)");
    const int version = top.integer("version", -1, 0, 1 << 20);
    if (version < kOldestSessionVersion || version > kSessionVersion)
        top.fail("version", "this program reads versions " + std::to_string(kOldestSessionVersion) + " to " +
                                std::to_string(kSessionVersion) + ", the file is version " + std::to_string(version));
    Session s;
    const Fields data = top.object("data");
    s.data_path = data.text("path");
    if (s.data_path.empty()) data.fail("path", "missing: the session names no data file");
    s.data_relative_path = data.text("relative_path");
    s.data_sha256 = data.text("sha256");
    if (!s.data_sha256.empty() && s.data_sha256.size() != 64) data.fail("sha256", "expected 64 hex digits");
    s.data_format = data.text("format");

    const Fields costs = top.object("costs");
    s.small_cost = costs.number("small", s.small_cost);
    s.large_cost = costs.number("large", s.large_cost);
    s.verifier_cost = costs.number("verifier", s.verifier_cost);
    s.middle_costs = costs.numbers("middle");

    const Fields routing = top.object("routing");
    s.method = routing.text("method");
    s.num_bins = routing.integer("num_bins", s.num_bins, 1, 200);
    if (const json* manual = routing.find("manual_params")) {
        if (!manual->is_object()) routing.fail("manual_params", "expected an object {dataset: parameters}");
        for (const auto& [name, params] : manual->items()) s.manual_params[name] = params;
    }

    const Fields view = top.object("view");
    s.scope_dataset = view.text("dataset");
    s.split = one_of(view, "split", "val", {"val", "train", "all"});
    const Fields filter = view.object("filter");
    s.filter.text = filter.text("text");
    s.filter.category = one_of(filter, "category", "", {"", "NEEDY", "GOOD", "HOPELESS", "UNDEFINED"});
    s.filter.decision = one_of(filter, "decision", "any", {"any", "stayed", "escalated"});
    s.filter.routing_wrong_only = filter.flag("routing_wrong_only");
    if (view.find("linked_filter")) {
        const Fields linked = view.object("linked_filter");
        LinkedFilter lf;
        lf.label = linked.text("label");
        if (const json* rows = linked.find("rows")) {
            if (!rows->is_array()) linked.fail("rows", "expected an array of row indices");
            for (const json& r : *rows) {
                if (!r.is_number_unsigned()) linked.fail("rows", "expected row indices, got " + r.dump());
                lf.rows.push_back(r.get<std::size_t>());
            }
        }
        s.linked_filter = std::move(lf);
    }
    s.selected_row_id = view.text("selected_row");
    s.open_tab = view.text("tab");
    if (const json* zoom = view.find("chart_zoom")) {
        if (!zoom->is_object()) view.fail("chart_zoom", "expected an object {chart: {x: [lo, hi], y: [lo, hi]}}");
        for (const auto& [chart, ranges] : zoom->items()) {
            const Fields z = view.object("chart_zoom").object(chart.c_str());
            auto range = [&z](const char* axis, double& lo, double& hi) {
                const json* r = z.find(axis);
                if (!r || !r->is_array() || r->size() != 2 || !(*r)[0].is_number() || !(*r)[1].is_number())
                    z.fail(axis, "expected [lo, hi], got " + (r ? r->dump() : std::string("nothing")));
                lo = (*r)[0].get<double>();
                hi = (*r)[1].get<double>();
                if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
                    z.fail(axis, "expected finite lo < hi, got " + r->dump());
            };
            ChartZoom cz;
            range("x", cz.x_min, cz.x_max);
            range("y", cz.y_min, cz.y_max);
            s.chart_zoom[chart] = cz;
        }
    }
    if (const json* study = top.find("study")) {
        if (!study->is_object()) top.fail("study", "expected an object");
        s.study = *study;
    }
    if (top.find("study_result")) s.study_result = saved_study_from(top.object("study_result"));
    s.live_config_path = top.object("live").text("config_path");
    return s;
}

Session read_session(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SessionError(path + ": cannot open the session file");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        // Line and column of the byte the parser stopped at.
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw SessionError(path + ":" + std::to_string(line) + ":" + std::to_string(column) +
                           ": not valid JSON (not an AutoMix session?)");
    }
    return from_json(j, path);
}

void write_session(const std::string& path, const Session& s) {
    io::AtomicFile out(path);
    out.write(to_json(s).dump(2) + "\n");
    out.commit();
}

std::optional<std::string> locate_data(const Session& s, const std::string& session_path) {
    std::error_code ec;
    if (fs::is_regular_file(s.data_path, ec)) return s.data_path;
    if (!s.data_relative_path.empty()) {
        const fs::path candidate = fs::absolute(session_path, ec).parent_path() / s.data_relative_path;
        if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal().string();
    }
    return std::nullopt;
}

std::string relative_to_session(const std::string& data, const std::string& session_path) {
    std::error_code ec;
    const fs::path base = fs::absolute(session_path, ec).parent_path();
    if (ec) return {};
    const fs::path rel = fs::absolute(data, ec).lexically_normal().lexically_relative(base.lexically_normal());
    return ec ? std::string() : rel.string();
}

}  // namespace automix::session
