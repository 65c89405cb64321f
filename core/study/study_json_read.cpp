// Reads back what study_to_json wrote (a saved session keeps its study results this way), so a
// result is shown again without being recomputed. Every error names the field that is wrong.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/study/study.hpp"

namespace automix::study {

namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& field, const std::string& why) {
    throw std::invalid_argument("field '" + field + "': " + why);
}

std::string join(const std::string& path, const char* name) {
    return path.empty() ? std::string(name) : path + "." + name;
}

const Json& member(const Json& object, const std::string& path, const char* name) {
    static const Json null;
    if (!object.is_object()) fail(path, "expected an object");
    const auto it = object.find(name);
    return it == object.end() ? null : *it;
}

std::string text(const Json& object, const std::string& path, const char* name, bool required = false) {
    const Json& v = member(object, path, name);
    const std::string field = join(path, name);
    if (v.is_null()) {
        if (required) fail(field, "missing");
        return {};
    }
    if (!v.is_string()) fail(field, "expected a string, got " + v.dump());
    return v.get<std::string>();
}

// A number, or null for "not available" (NaN), as study_to_json writes it.
double number(const Json& object, const std::string& path, const char* name) {
    const Json& v = member(object, path, name);
    if (v.is_null()) return kNaN;
    if (!v.is_number()) fail(join(path, name), "expected a number or null, got " + v.dump());
    return v.get<double>();
}

const Json& array(const Json& object, const std::string& path, const char* name) {
    static const Json empty = Json::array();
    const Json& v = member(object, path, name);
    if (v.is_null()) return empty;
    if (!v.is_array()) fail(join(path, name), "expected an array, got " + v.dump());
    return v;
}

std::vector<std::string> strings(const Json& object, const std::string& path, const char* name) {
    std::vector<std::string> out;
    const Json& a = array(object, path, name);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string()) fail(join(path, name) + "[" + std::to_string(i) + "]", "expected a string");
        out.push_back(a[i].get<std::string>());
    }
    return out;
}

ChartKind chart_kind(const std::string& name) {
    if (name == "lines") return ChartKind::Lines;
    if (name == "error_bars") return ChartKind::ErrorBars;
    if (name == "heat_map") return ChartKind::HeatMap;
    if (name == "scatter") return ChartKind::Scatter;
    fail("chart.kind", "expected lines, error_bars, heat_map or scatter, got '" + name + "'");
}

}  // namespace

StudyResult study_from_json(const nlohmann::json& j) {
    if (!j.is_object()) fail("", "expected a study result object");
    if (text(j, "", "format") != "automix-study-v1")
        fail("format", "expected \"automix-study-v1\", got " + member(j, "", "format").dump());
    StudyResult r;
    r.study = text(j, "", "study", true);
    const auto names = study_names();
    if (std::find(names.begin(), names.end(), r.study) == names.end())
        fail("study", "no study named '" + r.study + "'");
    r.title = text(j, "", "title");
    if (const Json& p = member(j, "", "parameters"); !p.is_null()) {
        if (!p.is_object()) fail("parameters", "expected an object");
        r.parameters = p;
    }
    r.seconds = number(j, "", "seconds");
    if (std::isnan(r.seconds)) r.seconds = 0;

    const Json& chart = member(j, "", "chart");
    if (!chart.is_object()) fail("chart", "expected an object");
    r.chart = chart_kind(text(chart, "chart", "kind", true));
    r.x_label = text(chart, "chart", "x_label");
    r.y_label = text(chart, "chart", "y_label");
    if (const Json& lx = member(chart, "chart", "log_x"); !lx.is_null()) {
        if (!lx.is_boolean()) fail("chart.log_x", "expected true or false");
        r.log_x = lx.get<bool>();
    }
    const Json& series = array(chart, "chart", "series");
    for (std::size_t i = 0; i < series.size(); ++i) {
        const std::string at = "chart.series[" + std::to_string(i) + "]";
        Series s;
        s.group = text(series[i], at, "group");
        s.name = text(series[i], at, "name");
        const Json& points = array(series[i], at, "points");
        for (std::size_t k = 0; k < points.size(); ++k) {
            const std::string pat = at + ".points[" + std::to_string(k) + "]";
            SeriesPoint p;
            p.x = number(points[k], pat, "x");
            p.y.value = number(points[k], pat, "y");
            p.y.std = number(points[k], pat, "std");
            p.y.lo = number(points[k], pat, "lo");
            p.y.hi = number(points[k], pat, "hi");
            p.label = text(points[k], pat, "label");
            s.points.push_back(std::move(p));
        }
        r.series.push_back(std::move(s));
    }
    const Json& matrices = array(chart, "chart", "matrices");
    for (std::size_t i = 0; i < matrices.size(); ++i) {
        const std::string at = "chart.matrices[" + std::to_string(i) + "]";
        Matrix m;
        m.name = text(matrices[i], at, "name");
        m.row_labels = strings(matrices[i], at, "rows");
        m.col_labels = strings(matrices[i], at, "cols");
        const Json& values = array(matrices[i], at, "values");
        if (values.size() != m.row_labels.size()) fail(at + ".values", "expected one row per row label");
        for (std::size_t row = 0; row < values.size(); ++row) {
            const std::string rat = at + ".values[" + std::to_string(row) + "]";
            if (!values[row].is_array() || values[row].size() != m.col_labels.size())
                fail(rat, "expected " + std::to_string(m.col_labels.size()) + " numbers (one per column)");
            std::vector<double> cells;
            for (const Json& v : values[row]) {
                if (!v.is_null() && !v.is_number()) fail(rat, "expected numbers or null, got " + v.dump());
                cells.push_back(v.is_null() ? kNaN : v.get<double>());
            }
            m.values.push_back(std::move(cells));
        }
        r.matrices.push_back(std::move(m));
    }

    // Columns in their order ("columns"; older files: the first row's keys, in file order).
    const Json& rows = array(j, "", "table");
    r.table.columns = strings(j, "", "columns");
    if (r.table.columns.empty() && !rows.empty() && rows[0].is_object())
        for (const auto& [key, value] : rows[0].items()) r.table.columns.push_back(key);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string at = "table[" + std::to_string(i) + "]";
        if (!rows[i].is_object()) fail(at, "expected an object {column: value}");
        std::vector<nlohmann::json> cells;
        for (const auto& column : r.table.columns) {
            const auto it = rows[i].find(column);
            cells.push_back(it == rows[i].end() ? nlohmann::json() : nlohmann::json(*it));
        }
        r.table.rows.push_back(std::move(cells));
    }
    r.warnings = strings(j, "", "warnings");
    return r;
}

}  // namespace automix::study
