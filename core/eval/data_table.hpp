#pragma once
// A small rectangular table of numbers and texts: what every chart shows and every CSV
// export writes, so that an exported file holds exactly the numbers the chart was drawn from.
//
//   DataTable t{{"method", "cost", "perf"}, {}};
//   t.add({"Threshold", 3.2, 0.61});
//   std::string csv = to_csv(t);   // RFC 4180 quoting, numbers in shortest round-trip form
#include <string>
#include <variant>
#include <vector>

namespace automix::eval {

using Cell = std::variant<double, std::string>;

struct DataTable {
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;

    void add(std::vector<Cell> row) { rows.push_back(std::move(row)); }
    std::size_t column(const std::string& name) const;  // index, or columns.size() when absent
};

// Shortest text that reads back as the same double; "nan", "inf", "-inf" for non-finite.
std::string number_text(double x);
std::string cell_text(const Cell& c);
// Header line then one line per row; fields with a comma, quote or newline are quoted.
std::string to_csv(const DataTable& t);

}  // namespace automix::eval
