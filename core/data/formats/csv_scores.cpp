// "csv": a per-query score table, one row per query, as other tools export them — enough for
// every offline routing method (two models, a verifier confidence or verdict counts, splits).
// Header-driven (any column order), RFC 4180 quoting (quoted cells may hold commas, quotes and
// line breaks). The schema is in README "CSV score table" and docs/man/automix.1:
//
//   required  id, split, slm_score, llm_score, and slm_confidence or slm_correct + slm_incorrect
//   optional  dataset (default "all"), pid, question, gold, category, slm_answer, llm_answer,
//             slm_cost, llm_cost, verifier_cost (one value for the whole file; default 1, 50, 1)
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "core/data/format.hpp"
#include "core/data/row_parser.hpp"

namespace automix::data {

namespace {

enum class Column {
    Id, Pid, Dataset, Split, Category, Question, Gold,
    SlmAnswer, LlmAnswer, SlmScore, LlmScore, SlmConfidence, SlmCorrect, SlmIncorrect,
    SlmCost, LlmCost, VerifierCost, Count
};
constexpr std::string_view kColumnNames[] = {
    "id",        "pid",        "dataset",        "split",       "category",     "question",
    "gold",      "slm_answer", "llm_answer",     "slm_score",   "llm_score",    "slm_confidence",
    "slm_correct", "slm_incorrect", "slm_cost",  "llm_cost",    "verifier_cost"};
constexpr std::size_t kColumnCount = static_cast<std::size_t>(Column::Count);
static_assert(std::size(kColumnNames) == kColumnCount);

struct Cell {
    std::string text;
    std::size_t line = 0, column = 0;  // where the cell starts (1-based)
};

// Splits one record into cells. A quoted cell may run over several lines: `next_line` gives
// them. The cells' texts are copies, since a Line's text is valid only until the next line.
class RecordSplitter {
  public:
    void split(const Line& first, const std::function<bool(Line&)>& next_line, std::vector<Cell>& cells) {
        std::size_t count = 0;
        Line line = first;
        std::size_t i = 0;
        const auto cell = [&]() -> Cell& {
            if (count == cells.size()) cells.emplace_back();
            Cell& c = cells[count++];
            c.text.clear();
            c.line = line.number;
            c.column = i + 1;
            return c;
        };
        for (;;) {  // one cell per turn
            Cell& c = cell();
            const std::string_view t = line.text;
            if (i < t.size() && t[i] == '"') {
                ++i;
                for (;;) {
                    if (i == line.text.size()) {
                        const std::size_t open_line = c.line, open_column = c.column;
                        if (!next_line(line))
                            throw LineError{open_line, open_column, "quoted cell is not closed before the end of the file"};
                        c.text += '\n';
                        i = 0;
                        continue;
                    }
                    const char ch = line.text[i++];
                    if (ch != '"') {
                        c.text += ch;
                    } else if (i < line.text.size() && line.text[i] == '"') {
                        c.text += '"';
                        ++i;
                    } else {
                        break;
                    }
                }
                if (i < line.text.size() && line.text[i] != ',')
                    throw LineError{line.number, i + 1, "expected ',' or the end of the line after a quoted cell"};
            } else {
                const std::size_t end = std::min(line.text.find(',', i), line.text.size());
                const std::string_view raw = line.text.substr(i, end - i);
                if (raw.find('"') != std::string_view::npos)
                    throw LineError{line.number, i + 1 + raw.find('"'),
                                    "a quote inside an unquoted cell (quote the whole cell and double the quote)"};
                c.text.assign(raw);
                i = end;
            }
            if (i >= line.text.size()) break;
            ++i;  // the comma
        }
        cells.resize(count);
    }
};

bool looks_like_csv_header(std::string_view line, bool by_extension) {
    const auto at = line.find_first_not_of(" \t");
    if (at == std::string_view::npos || line[at] == '{') return false;  // JSON is the JSONL formats'
    if (by_extension) return true;
    // Without the extension: a header naming the required `id` and a score column.
    auto has = [&](std::string_view name) {
        for (std::size_t start = 0; start <= line.size();) {
            std::size_t end = std::min(line.find(',', start), line.size());
            std::string_view cell = line.substr(start, end - start);
            if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
            if (cell == name) return true;
            start = end + 1;
        }
        return false;
    };
    return has("id") && (has("slm_score") || has("llm_score"));
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class CsvParser : public RowParser {
  public:
    bool start(const Line& first, Dataset& d) override {
        dataset_ = &d;
        std::vector<Cell> header;
        splitter_.split(first, [](Line&) { return false; }, header);
        index_.fill(-1);
        for (std::size_t i = 0; i < header.size(); ++i) {
            const std::string& name = header[i].text;
            std::size_t known = 0;
            while (known < kColumnCount && kColumnNames[known] != name) ++known;
            if (known == kColumnCount) {
                ignored_.push_back(name);
                continue;
            }
            if (index_[known] >= 0)
                throw LineError{first.number, header[i].column, "column `" + name + "` appears twice"};
            index_[known] = static_cast<int>(i);
        }
        width_ = header.size();
        std::vector<std::string> missing;
        for (Column c : {Column::Id, Column::Split, Column::SlmScore, Column::LlmScore})
            if (!has(c)) missing.push_back("`" + std::string(kColumnNames[static_cast<std::size_t>(c)]) + "`");
        if (!has(Column::SlmConfidence) && !(has(Column::SlmCorrect) && has(Column::SlmIncorrect)))
            missing.emplace_back("`slm_confidence` (or both `slm_correct` and `slm_incorrect`)");
        if (!missing.empty()) {
            std::string message = missing.size() == 1 ? "missing column " : "missing columns ";
            for (std::size_t i = 0; i < missing.size(); ++i) message += (i ? ", " : "") + missing[i];
            throw LineError{first.number, 0, message + " in the header"};
        }
        set_models(d, {{"slm", "Small LM", 1.0}, {"llm", "Large LM", 50.0}});  // costs: see cost()
        d.verifier_cost = 1.0;
        return true;
    }

    void parse(const Line& line, const std::function<bool(Line&)>& next_line, PendingRow& row) override {
        splitter_.split(line, next_line, cells_);
        if (cells_.size() != width_) {
            const Cell& at = cells_[std::min(cells_.size(), width_) - (cells_.size() > width_ ? 0 : 1)];
            throw LineError{at.line, at.column,
                            "expected " + std::to_string(width_) + " cells (as in the header), got " +
                                std::to_string(cells_.size())};
        }
        row.clear(2);
        PendingModel& slm = row.models[0];
        PendingModel& llm = row.models[1];
        row.has_id = text(Column::Id, row.id, true);
        row.has_split = text(Column::Split, row.split, true);
        row.has_dataset = text(Column::Dataset, row.dataset, false);
        if (!row.has_dataset) row.dataset = "all", row.has_dataset = true;
        row.has_pid = text(Column::Pid, row.pid, false);
        row.has_question = text(Column::Question, row.question, false);
        row.has_gold = text(Column::Gold, row.gold, false);
        row.has_category = text(Column::Category, row.category, false);
        slm.has_answer = text(Column::SlmAnswer, slm.answer, false);
        llm.has_answer = text(Column::LlmAnswer, llm.answer, false);
        slm.score = *number(Column::SlmScore, true), slm.has_score = true;
        llm.score = *number(Column::LlmScore, true), llm.has_score = true;
        const bool counts = has(Column::SlmCorrect) && has(Column::SlmIncorrect);
        if (const auto c = number(Column::SlmConfidence, !counts)) {
            slm.confidence = *c;
        } else {
            // method §3 from k verdicts: correct / (correct + incorrect), 0 without a verdict.
            const double correct = count(Column::SlmCorrect), incorrect = count(Column::SlmIncorrect);
            slm.confidence = correct + incorrect > 0 ? correct / (correct + incorrect) : 0.0;
        }
        slm.has_confidence = true;
        cost(Column::SlmCost, dataset_->models[0].call_cost, seen_slm_cost_);
        cost(Column::LlmCost, dataset_->models[1].call_cost, seen_llm_cost_);
        cost(Column::VerifierCost, dataset_->verifier_cost, seen_verifier_cost_);
    }

    void add_warnings(std::vector<std::string>& warnings) const override {
        if (ignored_.empty()) return;
        std::string list;
        for (const std::string& name : ignored_) list += (list.empty() ? "`" : ", `") + name + "`";
        warnings.push_back("CSV columns not used: " + list);
    }

  private:
    bool has(Column c) const { return index_[static_cast<std::size_t>(c)] >= 0; }
    const Cell* cell(Column c) const {
        const int i = index_[static_cast<std::size_t>(c)];
        return i < 0 ? nullptr : &cells_[static_cast<std::size_t>(i)];
    }
    [[noreturn]] static void fail(const Cell& at, Column c, const std::string& message) {
        throw LineError{at.line, at.column, "column `" + std::string(kColumnNames[static_cast<std::size_t>(c)]) + "`: " + message};
    }
    // An empty cell is absent; a required one must not be.
    bool text(Column c, std::string& out, bool required) const {
        const Cell* at = cell(c);
        if (!at || at->text.empty()) {
            if (required && at) fail(*at, c, "empty, but every row needs one");
            return false;
        }
        out = at->text;
        return true;
    }
    std::optional<double> number(Column c, bool required) const {
        const Cell* at = cell(c);
        if (!at || at->text.empty()) {
            if (required && at) fail(*at, c, "empty, but every row needs a number");
            return std::nullopt;
        }
        const std::string& s = at->text;
        double v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
            fail(*at, c, "expected a finite number, got `" + s + "`");
        return v;
    }
    double count(Column c) const {
        const Cell* at = cell(c);
        if (at->text.empty()) fail(*at, c, "empty, and the row has no slm_confidence");
        const std::string& s = at->text;
        unsigned long long v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size())
            fail(*at, c, "expected a count of verdicts (a whole number >= 0), got `" + s + "`");
        return static_cast<double>(v);
    }
    // A cost is one value for the whole file: the first row's, and every later row must agree.
    void cost(Column c, double& target, std::optional<double>& seen) {
        const auto v = number(c, false);
        if (!v) return;
        if (*v < 0) fail(*cell(c), c, "a cost must not be negative");
        if (seen && *seen != *v)
            fail(*cell(c), c, "costs are one value for the whole file; an earlier row has a different one");
        seen = *v;
        target = *v;
    }

    Dataset* dataset_ = nullptr;
    RecordSplitter splitter_;
    std::array<int, kColumnCount> index_{};  // column -> cell index, -1 when the file has none
    std::size_t width_ = 0;
    std::vector<std::string> ignored_;
    std::vector<Cell> cells_;
    std::optional<double> seen_slm_cost_, seen_llm_cost_, seen_verifier_cost_;
};

}  // namespace

AUTOMIX_REGISTER_FORMAT(csv, {
    "csv",
    "per-query score table (CSV with a header: id, split, slm_score, llm_score, slm_confidence, ...)",
    {".csv"},
    30,
    [](std::string_view path, std::string_view line) {
        const bool by_extension = ends_with(path, ".csv") || ends_with(path, ".csv.gz");
        return Sniff{looks_like_csv_header(line, by_extension) ? (by_extension ? 90 : 80) : 0, true};
    },
    [] { return std::unique_ptr<RowParser>(new CsvParser); },
    {},
})

}  // namespace automix::data
