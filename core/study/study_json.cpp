// Writers for a StudyResult: JSON (everything: parameters, chart series, matrices, table,
// warnings) and CSV (the table). Non-finite numbers are null in both.
#include <cmath>
#include <sstream>

#include "core/study/study.hpp"

namespace automix::study {

namespace {

nlohmann::ordered_json num(double x) {
    return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json();
}

const char* chart_name(ChartKind k) {
    switch (k) {
    case ChartKind::Lines: return "lines";
    case ChartKind::ErrorBars: return "error_bars";
    case ChartKind::HeatMap: return "heat_map";
    case ChartKind::Scatter: return "scatter";
    }
    return "lines";
}

std::string csv_cell(const nlohmann::json& v) {
    std::string text;
    if (v.is_null()) return "";
    if (v.is_string())
        text = v.get<std::string>();
    else if (v.is_boolean())
        return v.get<bool>() ? "true" : "false";
    else if (v.is_number_float()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v.get<double>());
        return buf;
    } else
        text = v.dump();
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

nlohmann::ordered_json study_to_json(const StudyResult& r) {
    nlohmann::ordered_json j;
    j["format"] = "automix-study-v1";
    j["study"] = r.study;
    j["title"] = r.title;
    j["parameters"] = r.parameters;
    j["seconds"] = r.seconds;
    nlohmann::ordered_json chart;
    chart["kind"] = chart_name(r.chart);
    chart["x_label"] = r.x_label;
    chart["y_label"] = r.y_label;
    chart["log_x"] = r.log_x;
    nlohmann::ordered_json series = nlohmann::ordered_json::array();
    for (const auto& s : r.series) {
        nlohmann::ordered_json js;
        js["group"] = s.group;
        js["name"] = s.name;
        nlohmann::ordered_json pts = nlohmann::ordered_json::array();
        for (const auto& p : s.points) {
            nlohmann::ordered_json jp;
            jp["x"] = num(p.x);
            jp["y"] = num(p.y.value);
            if (!std::isnan(p.y.std)) jp["std"] = num(p.y.std);
            if (!std::isnan(p.y.lo)) jp["lo"] = num(p.y.lo);
            if (!std::isnan(p.y.hi)) jp["hi"] = num(p.y.hi);
            if (!p.label.empty()) jp["label"] = p.label;
            pts.push_back(std::move(jp));
        }
        js["points"] = std::move(pts);
        series.push_back(std::move(js));
    }
    chart["series"] = std::move(series);
    nlohmann::ordered_json matrices = nlohmann::ordered_json::array();
    for (const auto& m : r.matrices) {
        nlohmann::ordered_json jm;
        jm["name"] = m.name;
        jm["rows"] = m.row_labels;
        jm["cols"] = m.col_labels;
        nlohmann::ordered_json vals = nlohmann::ordered_json::array();
        for (const auto& row : m.values) {
            nlohmann::ordered_json jr = nlohmann::ordered_json::array();
            for (const double v : row) jr.push_back(num(v));
            vals.push_back(std::move(jr));
        }
        jm["values"] = std::move(vals);
        matrices.push_back(std::move(jm));
    }
    if (!r.matrices.empty()) chart["matrices"] = std::move(matrices);
    j["chart"] = std::move(chart);
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& row : r.table.rows) {
        nlohmann::ordered_json jr;
        for (std::size_t c = 0; c < r.table.columns.size() && c < row.size(); ++c) jr[r.table.columns[c]] = row[c];
        rows.push_back(std::move(jr));
    }
    j["columns"] = r.table.columns;  // the table's column order (JSON objects need not keep it)
    j["table"] = std::move(rows);
    j["warnings"] = r.warnings;
    return j;
}

std::string study_table_csv(const StudyResult& r) {
    std::ostringstream out;
    for (std::size_t c = 0; c < r.table.columns.size(); ++c) out << (c ? "," : "") << csv_cell(r.table.columns[c]);
    out << '\n';
    for (const auto& row : r.table.rows) {
        for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_cell(row[c]);
        out << '\n';
    }
    return out.str();
}

}  // namespace automix::study
