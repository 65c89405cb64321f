#include "core/eval/data_table.hpp"

#include <charconv>
#include <cmath>

namespace automix::eval {

std::size_t DataTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i] == name) return i;
    return columns.size();
}

std::string number_text(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, res.ptr);
}

std::string cell_text(const Cell& c) {
    if (const double* d = std::get_if<double>(&c)) return number_text(*d);
    return std::get<std::string>(c);
}

namespace {
void append_field(std::string& out, const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
        out += field;
        return;
    }
    out += '"';
    for (char ch : field) {
        if (ch == '"') out += '"';
        out += ch;
    }
    out += '"';
}

void append_line(std::string& out, const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        append_field(out, fields[i]);
    }
    out += '\n';
}
}  // namespace

std::string to_csv(const DataTable& t) {
    std::string out;
    append_line(out, t.columns);
    std::vector<std::string> fields;
    for (const auto& row : t.rows) {
        fields.clear();
        for (const Cell& c : row) fields.push_back(cell_text(c));
        append_line(out, fields);
    }
    return out;
}

}  // namespace automix::eval
