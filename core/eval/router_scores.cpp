// Import of external router scores and the ExternalRouter(NAME) threshold method over them.
#include "core/eval/router_scores.hpp"

#include "core/data/json_parse.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

namespace automix::eval {

namespace {

constexpr char kKeySep = '\x1f';

std::string make_key(const std::string& dataset, const std::string& id, bool by_dataset) {
    return by_dataset ? dataset + kKeySep + id : id;
}

std::string read_all(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw RouterScoresError(path, 0, "cannot open the file (" + std::string(std::strerror(errno)) + ")");
    if (S_ISDIR(st.st_mode)) throw RouterScoresError(path, 0, "is a directory");
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
    if (!f) throw RouterScoresError(path, 0, "cannot open the file");
    std::string out, buf(1 << 16, '\0');
    for (;;) {
        const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
        if (n < 0) {
            gzclose(f);
            throw RouterScoresError(path, 0, "cannot read the file (corrupt gzip data?)");
        }
        if (n == 0) break;
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    gzclose(f);
    if (out.size() >= 3 && static_cast<unsigned char>(out[0]) == 0xEF && static_cast<unsigned char>(out[1]) == 0xBB &&
        static_cast<unsigned char>(out[2]) == 0xBF)
        out.erase(0, 3);
    return out;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// One CSV line (RFC 4180 quoting, no line breaks inside quotes). Empty optional = error.
bool split_csv(const std::string& line, std::vector<std::string>& cells, std::string& error) {
    cells.clear();
    std::string cell;
    std::size_t i = 0;
    for (;;) {
        cell.clear();
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i < line.size() && line[i] == '"') {
            ++i;
            for (;;) {
                if (i >= line.size()) {
                    error = "unterminated quoted field";
                    return false;
                }
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        cell += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                cell += line[i++];
            }
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            if (i < line.size() && line[i] != ',') {
                error = "unexpected text after a quoted field (column " + std::to_string(i + 1) + ")";
                return false;
            }
        } else {
            const std::size_t end = std::min(line.find(',', i), line.size());
            cell = trim(line.substr(i, end - i));
            i = end;
        }
        cells.push_back(cell);
        if (i >= line.size()) return true;
        ++i;  // the comma
    }
}

// A finite number, or an error message.
bool parse_score(const std::string& text, double& out, std::string& error) {
    const std::string t = trim(text);
    if (t.empty()) {
        error = "empty score";
        return false;
    }
    char* end = nullptr;
    errno = 0;
    out = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size()) {
        error = "score '" + t + "' is not a number";
        return false;
    }
    if (!std::isfinite(out)) {
        error = "score '" + t + "' is not a finite number";
        return false;
    }
    return true;
}

std::string file_stem(const std::string& path) {
    std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    for (const char* ext : {".gz", ".csv", ".jsonl", ".json", ".tsv", ".txt"}) {
        const std::string e = ext;
        if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0)
            base.erase(base.size() - e.size());
    }
    return base;
}

bool looks_like_jsonl(const std::string& path, const std::string& text) {
    std::string p = path;
    if (p.size() > 3 && p.compare(p.size() - 3, 3, ".gz") == 0) p.erase(p.size() - 3);
    if (p.size() > 6 && p.compare(p.size() - 6, 6, ".jsonl") == 0) return true;
    if (p.size() > 5 && p.compare(p.size() - 5, 5, ".json") == 0) return true;
    if (p.size() > 4 && p.compare(p.size() - 4, 4, ".csv") == 0) return false;
    const auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string::npos && text[first] == '{';
}

// Picks the score key among the non-id/dataset keys: the router's name, else "score",
// else the only one. Empty string + error when ambiguous.
std::string pick_score_key(const std::vector<std::string>& keys, const std::string& name, std::string& error) {
    std::vector<std::string> others;
    for (const auto& k : keys)
        if (k != "id" && k != "dataset") others.push_back(k);
    if (!name.empty() && std::find(others.begin(), others.end(), name) != others.end()) return name;
    if (std::find(others.begin(), others.end(), "score") != others.end()) return "score";
    if (others.size() == 1) return others.front();
    std::string list;
    for (const auto& k : others) list += (list.empty() ? "" : ", ") + k;
    error = others.empty() ? "no score column (expected `id` and `score`)"
                           : "several score columns (" + list + "): name one with FILE:NAME or call it `score`";
    return "";
}

void add_score(RouterScores& s, std::unordered_map<std::string, std::size_t>& first_line, const std::string& dataset,
               const std::string& id, double score, std::size_t line) {
    if (id.empty()) throw RouterScoresError(s.source, line, "empty id");
    if (s.keyed_by_dataset && dataset.empty()) throw RouterScoresError(s.source, line, "empty dataset");
    const std::string key = make_key(dataset, id, s.keyed_by_dataset);
    const auto [it, fresh] = first_line.emplace(key, line);
    if (!fresh)
        throw RouterScoresError(s.source, line,
                                "duplicate id '" + id + "'" +
                                    (s.keyed_by_dataset ? " in dataset '" + dataset + "'" : "") + " (first at line " +
                                    std::to_string(it->second) + ")");
    s.scores.emplace(key, score);
}

void load_csv(RouterScores& s, const std::vector<std::string>& lines, const std::string& name) {
    std::size_t header_line = 0;
    while (header_line < lines.size() && trim(lines[header_line]).empty()) ++header_line;
    if (header_line == lines.size())
        throw RouterScoresError(s.source, 0, "empty file (expected a header line `id,score`)");
    std::vector<std::string> header, cells;
    std::string error;
    if (!split_csv(lines[header_line], header, error)) throw RouterScoresError(s.source, header_line + 1, error);
    const auto col = [&](const std::string& n) -> int {
        const auto it = std::find(header.begin(), header.end(), n);
        return it == header.end() ? -1 : static_cast<int>(it - header.begin());
    };
    const int id_col = col("id");
    if (id_col < 0) throw RouterScoresError(s.source, header_line + 1, "header has no `id` column");
    const std::string key = pick_score_key(header, name, error);
    if (key.empty()) throw RouterScoresError(s.source, header_line + 1, error);
    const int score_col = col(key), dataset_col = col("dataset");
    s.column = key;
    s.keyed_by_dataset = dataset_col >= 0;
    std::unordered_map<std::string, std::size_t> first_line;
    for (std::size_t i = header_line + 1; i < lines.size(); ++i) {
        if (trim(lines[i]).empty()) continue;
        const std::size_t line = i + 1;
        if (!split_csv(lines[i], cells, error)) throw RouterScoresError(s.source, line, error);
        if (cells.size() != header.size())
            throw RouterScoresError(s.source, line,
                                    "expected " + std::to_string(header.size()) + " fields, got " +
                                        std::to_string(cells.size()));
        double score = 0;
        if (!parse_score(cells[score_col], score, error))
            throw RouterScoresError(s.source, line, "column `" + key + "`: " + error);
        add_score(s, first_line, dataset_col >= 0 ? cells[dataset_col] : "", cells[id_col], score, line);
    }
}

void load_jsonl(RouterScores& s, const std::vector<std::string>& lines, const std::string& name) {
    std::unordered_map<std::string, std::size_t> first_line;
    bool first = true;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (trim(lines[i]).empty()) continue;
        const std::size_t line = i + 1;
        nlohmann::ordered_json j;  // ordered: "several score columns" lists them in file order
        try {
            // Duplicate keys refused: which score a repeated key means would be a guess.
            j = data::json::parse_limited<nlohmann::ordered_json>(lines[i], true);
        } catch (const data::json::LimitError& e) {
            throw RouterScoresError(s.source, line, "column " + std::to_string(e.offset + 1) + ": " + e.what());
        } catch (const nlohmann::json::parse_error& e) {
            throw RouterScoresError(s.source, line, "invalid JSON at column " + std::to_string(e.byte));
        }
        if (!j.is_object()) throw RouterScoresError(s.source, line, "expected a JSON object");
        if (first) {
            std::vector<std::string> keys;
            for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
            std::string error;
            s.column = pick_score_key(keys, name, error);
            if (s.column.empty()) throw RouterScoresError(s.source, line, error);
            s.keyed_by_dataset = j.contains("dataset");
            first = false;
        }
        if (!j.contains("id")) throw RouterScoresError(s.source, line, "missing field `id`");
        std::string id;
        const auto& jid = j["id"];
        if (jid.is_string())
            id = jid.get<std::string>();
        else if (jid.is_number_integer())
            id = jid.dump();
        else
            throw RouterScoresError(s.source, line,
                                    "field `id`: expected a string or an integer, got " + std::string(jid.type_name()));
        std::string dataset;
        if (s.keyed_by_dataset) {
            if (!j.contains("dataset") || !j["dataset"].is_string())
                throw RouterScoresError(s.source, line, "field `dataset`: expected a string (the first line has one)");
            dataset = j["dataset"].get<std::string>();
        }
        if (!j.contains(s.column)) throw RouterScoresError(s.source, line, "missing field `" + s.column + "`");
        const auto& v = j[s.column];
        if (!v.is_number())
            throw RouterScoresError(s.source, line,
                                    "field `" + s.column + "`: expected a number, got " + std::string(v.type_name()));
        add_score(s, first_line, dataset, id, v.get<double>(), line);
    }
    if (first) throw RouterScoresError(s.source, 0, "empty file (expected one JSON object per line)");
}

class ExternalRouterMethod : public routing::Method {
  public:
    ExternalRouterMethod(std::shared_ptr<const RouterScores> scores, int percentiles)
        : scores_(std::move(scores)), percentiles_(std::max(1, percentiles)) {}

    std::string name() const override { return external_router_name(scores_->name); }

    std::vector<routing::Params> candidates(const data::Dataset& ds, const data::View& train,
                                            const routing::Config&) const override {
        const auto col = column(ds);
        std::vector<double> v;
        v.reserve(train.size());
        for (const auto r : train) v.push_back(checked(ds, *col, r));
        std::sort(v.begin(), v.end());
        std::vector<double> ts;
        for (int q = 0; q <= percentiles_ && !v.empty(); ++q) {
            // Nearest rank, so every threshold is a score that occurs.
            const auto pos = static_cast<std::size_t>(
                std::llround(static_cast<double>(q) * static_cast<double>(v.size() - 1) / percentiles_));
            if (ts.empty() || ts.back() != v[pos]) ts.push_back(v[pos]);
        }
        // Fewest escalations first: for "≥ t" the highest t, for "≤ t" the lowest.
        if (high()) std::reverse(ts.begin(), ts.end());
        return std::vector<routing::Params>(ts.begin(), ts.end());
    }

    routing::Decisions route(const data::Dataset& ds, const data::View& rows, const routing::Params& p,
                             const routing::Config&) const override {
        if (!p.is_number()) throw routing::RoutingError(name() + ": expected a number parameter, got " + p.dump());
        const double t = p.get<double>();
        const auto col = column(ds);
        routing::Decisions d(rows.size());
        const bool hi = high();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const double s = checked(ds, *col, rows[i]);
            d[i] = (hi ? s >= t : s <= t) ? 1 : 0;
        }
        return d;
    }

    std::string describe(const routing::Params& p, const routing::Config&) const override {
        return std::string("escalate iff score ") + (high() ? "≥ " : "≤ ") + p.dump();
    }

    std::string explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const routing::Params& p,
                        const routing::Config&) const override {
        const double s = checked(ds, *column(ds), row);
        const double t = p.is_number() ? p.get<double>() : NAN;
        const bool esc = high() ? s >= t : s <= t;
        const char* cmp = high() ? (esc ? " ≥ " : " < ") : (esc ? " ≤ " : " > ");
        return scores_->name + " score " + nlohmann::json(s).dump() + cmp + "threshold " + p.dump() + " → " +
               (esc ? "escalate" : "keep small");
    }

    nlohmann::json extra(const data::Dataset&, const data::View&, const routing::Params&,
                         const routing::Config&) const override {
        return {{"source", scores_->source},
                {"column", scores_->column},
                {"direction", high() ? "escalate iff score >= t" : "escalate iff score <= t"}};
    }

  private:
    bool high() const { return scores_->direction == ScoreDirection::HighEscalates; }

    double checked(const data::Dataset& ds, const std::vector<double>& col, data::RowIndex r) const {
        const double s = r < col.size() ? col[r] : NAN;
        if (std::isnan(s))
            throw routing::RoutingError("row " + (r < ds.id.size() ? std::string(ds.id[r]) : std::to_string(r)) + ": no score in " +
                                        scores_->source + " (" + name() + ")");
        return s;
    }

    // Scores per row of `ds`, looked up by id once per dataset and cached: training routes
    // the same rows for every candidate. The cache is keyed by the dataset's address and
    // size and re-validated on a few rows, so a new dataset at the same address is noticed.
    std::shared_ptr<const std::vector<double>> column(const data::Dataset& ds) const {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& c : cache_)
            if (c.ds == &ds && c.col->size() == ds.size() && still_valid(ds, *c.col)) return c.col;
        auto col = std::make_shared<std::vector<double>>(ds.size());
        for (std::size_t r = 0; r < ds.size(); ++r) (*col)[r] = scores_->score_of(ds, static_cast<data::RowIndex>(r));
        if (cache_.size() >= 16) cache_.erase(cache_.begin());
        cache_.push_back({&ds, col});
        return col;
    }

    bool still_valid(const data::Dataset& ds, const std::vector<double>& col) const {
        if (ds.size() == 0) return true;
        for (const std::size_t r : {std::size_t{0}, ds.size() / 2, ds.size() - 1}) {
            const double want = scores_->score_of(ds, static_cast<data::RowIndex>(r));
            if (!(want == col[r] || (std::isnan(want) && std::isnan(col[r])))) return false;
        }
        return true;
    }

    struct Cached {
        const data::Dataset* ds;
        std::shared_ptr<const std::vector<double>> col;  // callers keep it alive past eviction
    };
    std::shared_ptr<const RouterScores> scores_;
    int percentiles_;
    mutable std::mutex mutex_;
    mutable std::vector<Cached> cache_;
};

}  // namespace

RouterScoresError::RouterScoresError(const std::string& file, std::size_t line, const std::string& message)
    : std::runtime_error(file + (line ? ":" + std::to_string(line) : "") + ": " + message), file_(file), line_(line) {}

double RouterScores::score_of(const data::Dataset& ds, data::RowIndex row) const {
    if (row >= ds.size()) return NAN;
    const std::string key =
        keyed_by_dataset ? make_key(std::string(ds.dataset_name(row)), std::string(ds.id[row]), true) : std::string(ds.id[row]);
    const auto it = scores.find(key);
    return it == scores.end() ? NAN : it->second;
}

RouterScoresSpec parse_router_scores_spec(const std::string& spec) {
    RouterScoresSpec out;
    struct stat st {};
    if (spec.empty()) throw std::invalid_argument("router scores: empty file name");
    if (::stat(spec.c_str(), &st) == 0) {
        out.path = spec;
        return out;
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t c = spec.find(':', start);
        parts.push_back(spec.substr(start, c == std::string::npos ? std::string::npos : c - start));
        if (c == std::string::npos) break;
        start = c + 1;
    }
    if (parts.size() >= 3 && (parts.back() == "high" || parts.back() == "low")) {
        out.direction = parts.back() == "low" ? ScoreDirection::LowEscalates : ScoreDirection::HighEscalates;
        parts.pop_back();
    }
    if (parts.size() >= 2) {
        out.name = parts.back();
        parts.pop_back();
    }
    for (std::size_t i = 0; i < parts.size(); ++i) out.path += (i ? ":" : "") + parts[i];
    if (out.path.empty()) throw std::invalid_argument("router scores: no file name in '" + spec + "'");
    return out;
}

RouterScores load_router_scores(const std::string& path, const std::string& name, ScoreDirection direction) {
    RouterScores s;
    s.source = path;
    s.direction = direction;
    s.name = name.empty() ? file_stem(path) : name;
    const std::string text = read_all(path);
    const std::vector<std::string> lines = split_lines(text);
    if (looks_like_jsonl(path, text))
        load_jsonl(s, lines, name);
    else
        load_csv(s, lines, name);
    if (s.scores.empty()) throw RouterScoresError(path, 0, "no scores in the file");
    return s;
}

std::string RouterScoresCoverage::summary() const {
    return std::to_string(matched) + " of " + std::to_string(rows) + " rows have a score; " +
           std::to_string(unused_scores) + " scores match no row";
}

RouterScoresCoverage coverage(const RouterScores& s, const data::Dataset& ds) {
    RouterScoresCoverage c;
    c.rows = ds.size();
    for (std::size_t r = 0; r < ds.size(); ++r) {
        if (!std::isnan(s.score_of(ds, static_cast<data::RowIndex>(r))))
            ++c.matched;
        else if (c.missing_ids.size() < 5)
            c.missing_ids.emplace_back(ds.id[r]);
    }
    c.unused_scores = s.scores.size() - std::min(s.scores.size(), c.matched);
    return c;
}

std::string external_router_name(const std::string& router_name) {
    return "ExternalRouter(" + router_name + ")";
}

routing::MethodPtr make_external_router(std::shared_ptr<const RouterScores> scores, int percentiles) {
    return std::make_shared<ExternalRouterMethod>(std::move(scores), percentiles);
}

ImportedRouter import_router_scores(const std::string& spec, const data::Dataset& ds) {
    const RouterScoresSpec parsed = parse_router_scores_spec(spec);
    ImportedRouter out;
    out.scores = std::make_shared<const RouterScores>(load_router_scores(parsed.path, parsed.name, parsed.direction));
    out.method = make_external_router(out.scores);
    out.coverage = coverage(*out.scores, ds);
    routing::register_method(out.method);
    return out;
}

}  // namespace automix::eval
