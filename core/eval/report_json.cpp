#include "core/eval/report_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <string_view>
#include <vector>

#include "core/routing/method.hpp"

namespace automix::eval {
namespace {

using ojson = nlohmann::ordered_json;

ojson num(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
}

// The automix-oracle-v1 layout is compared byte for byte with the reference, so the blocks
// written before the field table keep their order: these lists give it. A field added to the
// table since is written after them, and only when the report asks for every metric.
constexpr std::string_view kSeedValLayout[] = {"n",    "n_escalated",        "avg_cost", "avg_perf",
                                               "slope", "lift", "escalated_fraction", "apgr"};
constexpr std::string_view kValLayout[] = {"avg_cost", "avg_perf", "lift", "slope", "apgr", "escalated_fraction",
                                           "n_escalated"};
constexpr std::string_view kCsvLayout[] = {"avg_cost", "avg_perf", "lift", "escalated_fraction", "apgr"};

template <std::size_t N>
std::vector<const MetricField*> layout_fields(const std::string_view (&layout)[N]) {
    std::vector<const MetricField*> out;
    for (const std::string_view key : layout) out.push_back(&metric_field(key));
    return out;
}

// Fields outside the v1 layout, in table order (written when EvalOptions::all_metrics is set).
std::vector<const MetricField*> added_fields(bool all_metrics) {
    std::vector<const MetricField*> out;
    if (all_metrics)
        for (const MetricField& f : metric_fields())
            if (!f.in_report_v1) out.push_back(&f);
    return out;
}

ojson field_json(const MetricField& f, const Metrics& m) {
    const double v = f.value(m);
    if (f.format == MetricFormat::Count && std::isfinite(v)) return static_cast<std::size_t>(v);
    return num(v);
}

ojson metrics_json(const Metrics& m, bool all_metrics) {
    ojson j = ojson::object();
    for (const MetricField* f : layout_fields(kSeedValLayout)) j[std::string(f->key)] = field_json(*f, m);
    for (const MetricField* f : added_fields(all_metrics)) j[std::string(f->key)] = field_json(*f, m);
    return j;
}

// A method's figures on val in the full protocol: "val_<key>"; v1 called n_escalated "n_routed".
std::string val_key(const MetricField& f) {
    return f.key == "n_escalated" ? std::string("n_routed") : "val_" + std::string(f.key);
}

ojson stat_json(const Stat& s) {
    return ojson{{"mean", num(s.mean)}, {"std", num(s.std)}, {"min", num(s.min)}, {"max", num(s.max)}};
}

// Params hold only finite numbers by construction, but keep the rule uniform.
ojson params_json(const routing::Params& p) {
    if (p.is_number_float()) return num(p.get<double>());
    if (p.is_array()) {
        ojson a = ojson::array();
        for (const auto& x : p) a.push_back(params_json(x));
        return a;
    }
    return ojson::parse(p.dump());
}

std::string describe(const std::string& key, const routing::Params& p, const routing::Config& cfg) {
    try {
        if (auto m = routing::find_method(key)) return m->describe(p, cfg);
    } catch (const std::exception&) {
    }
    return p.dump();
}

std::string fmt(double x, const char* f = "%.4f") {
    if (std::isnan(x)) return "nan";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, x);
    return buf;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

nlohmann::json json_number(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
}

nlohmann::json metrics_to_json(const Metrics& m) {
    return nlohmann::json::parse(metrics_json(m, false).dump());
}

namespace {

// The per-row arrays (val_ids, decisions) of a large file are most of a report: millions of
// JSON values. The text writer leaves them out of each dataset's document as marker strings and
// writes them straight into the dumped text, byte for byte as the document would have.
struct Splices {
    std::string tag;  // unique to this writer (checked)
    std::vector<const data::View*> ids;
    std::vector<const routing::Decisions*> decisions;
    std::vector<const MethodReport*> extra;  // a method's own extra document
    std::size_t next() const { return ids.size(); }
    void add(const data::View* i, const routing::Decisions* d, const MethodReport* e) {
        ids.push_back(i);
        decisions.push_back(d);
        extra.push_back(e);
    }
    void clear() {
        ids.clear();
        decisions.clear();
        extra.clear();
    }
    std::string marker(std::size_t k) const { return tag + std::to_string(k); }
};

// A method's extra with its streamed rows put back (MethodReport::extra_rows).
nlohmann::json whole_extra(const MethodReport& m) {
    if (!m.extra_rows) return m.extra;
    return routing::StreamedExtra{m.extra, m.extra_rows_key, m.extra_rows}.whole();
}

// Everything before "datasets": what was read, the warnings, the configuration.
ojson head_json(const Report& r, const data::Dataset& ds) {
    const EvalOptions& o = r.options;
    const bool paper = o.protocol == Protocol::Paper;
    ojson j;
    j["format"] = "automix-oracle-v1";
    j["input"] = {{"path", r.input_path}, {"sha256", r.input_sha256}, {"n_rows", r.n_rows}};
    if (!r.warnings.empty()) j["warnings"] = r.warnings;
    ojson cfg;
    cfg["num_bins"] = o.config.num_bins;
    ojson costs = ojson::array();
    for (const double c : o.config.call_costs) costs.push_back(num(c));
    cfg["costs"] = costs;
    cfg["verifier_cost"] = num(o.config.verifier_cost);
    ojson models = ojson::array();
    for (const auto& m : ds.models) models.push_back(m.name);
    cfg["models"] = models;
    cfg["protocol"] = paper ? "paper" : "full";
    if (paper) {
        cfg["seeds"] = o.seeds;
        cfg["train_rows"] = o.train_rows;
    }
    cfg["fixed_routing_elems"] = "unanswerable'.";
    cfg["category_quantile"] = 0.1;
    cfg["category_scope"] = "whole file";
    if (o.all_metrics) cfg["metrics"] = "all";  // v1 readers: the extra val_* keys are expected
    j["config"] = cfg;
    return j;
}

// Last, because the run's duration is known only at the end (the report is written while the
// datasets are evaluated).
ojson generator_json(double seconds) {
    return {{"program", "automix eval"}, {"version", AUTOMIX_VERSION}, {"seconds", num(seconds)}};
}

ojson dataset_json(const DatasetReport& d, const EvalOptions& o, const data::Dataset& ds, Splices* splices) {
    const bool paper = o.protocol == Protocol::Paper;
    ojson dj;
    dj["n_train"] = d.n_train;
    dj["n_val"] = d.n_val;
    if (splices) {
        dj["val_ids"] = splices->marker(splices->next());
        splices->add(&d.val_rows, nullptr, nullptr);
    } else {
        ojson ids = ojson::array();
        for (const auto row : d.val_rows) ids.push_back(ds.id[row]);
        dj["val_ids"] = ids;
    }
    dj["slm_only"] = {{"cost", num(d.slm_only.cost)}, {"perf", num(d.slm_only.perf)}};
    dj["llm_only"] = {{"cost", num(d.llm_only.cost)}, {"perf", num(d.llm_only.perf)}};
    dj["train_slm_only_perf"] = num(d.train_slm_perf);
    dj["train_llm_only_perf"] = num(d.train_llm_perf);
    if (!d.warnings.empty()) dj["warnings"] = d.warnings;
    ojson methods = ojson::object();
    for (const MethodReport& m : d.methods) {
        ojson mj;
        mj["ok"] = m.ok;
        if (!m.ok) {
            mj["error"] = m.error;
            mj["seconds"] = num(m.seconds);
            methods[m.key] = mj;
            continue;
        }
        if (!paper) {
            mj["best_param"] = params_json(m.best);
            mj["best_param_text"] = describe(m.key, m.best, o.config);
            mj["train_lift"] = num(m.train_lift);
            mj["n_candidates"] = m.n_candidates;
            mj["n_best_ties"] = m.n_best_ties;
            for (const MetricField* f : layout_fields(kValLayout)) mj[val_key(*f)] = field_json(*f, m.val);
            for (const MetricField* f : added_fields(o.all_metrics)) mj[val_key(*f)] = field_json(*f, m.val);
            if (splices) {
                mj["decisions"] = splices->marker(splices->next());
                splices->add(nullptr, &m.decisions, nullptr);
            } else {
                mj["decisions"] = m.decisions;
            }
            if (!m.train_candidates.empty()) {
                ojson tc = ojson::array();
                for (const auto& c : m.train_candidates)
                    tc.push_back(ojson::array({params_json(c.params), num(c.metrics.lift)}));
                mj["train_candidates"] = tc;
            }
            if (!m.val_candidates.empty()) {
                ojson vc = ojson::array();
                for (const auto& c : m.val_candidates)
                    vc.push_back(ojson::array({num(c.avg_cost), num(c.avg_perf), num(c.lift)}));
                mj["val_candidates"] = vc;  // [cost, perf, lift] per train candidate
                mj["val_curve"] = {{"aiq", num(m.val_curve.aiq)},
                                   {"calls_for_50pct_gap", num(m.val_curve.calls_for_50pct_gap)},
                                   {"calls_for_80pct_gap", num(m.val_curve.calls_for_80pct_gap)},
                                   {"pareto", m.val_curve.pareto}};
            }
            if (!m.extra.is_null()) {
                if (splices) {
                    mj["extra"] = splices->marker(splices->next());
                    splices->add(nullptr, nullptr, &m);
                } else {
                    mj["extra"] = ojson::parse(whole_extra(m).dump());
                }
            }
        } else {
            // Paper protocol: val_* hold the means over seeds.
            mj["val_avg_cost"] = num(m.val_cost_stat.mean);
            mj["val_avg_perf"] = num(m.val_perf_stat.mean);
            mj["val_lift"] = num(m.val_lift_stat.mean);
            mj["val_lift_stat"] = stat_json(m.val_lift_stat);
            mj["val_cost_stat"] = stat_json(m.val_cost_stat);
            mj["val_perf_stat"] = stat_json(m.val_perf_stat);
            ojson seeds = ojson::array();
            for (const auto& s : m.seeds)
                seeds.push_back({{"seed", s.seed},
                                 {"train_rows", s.train_rows},
                                 {"best_param", params_json(s.best)},
                                 {"train_lift", num(s.train_lift)},
                                 {"val", metrics_json(s.val, o.all_metrics)}});
            mj["seeds"] = seeds;
        }
        mj["seconds"] = num(m.seconds);
        methods[m.key] = mj;
    }
    dj["methods"] = methods;
    return dj;
}

// A string as nlohmann's dump writes it (UTF-8 kept, the JSON escapes, \u00xx for other
// control bytes): plain text is copied, anything else goes through nlohmann itself.
void append_json_string(std::string& out, std::string_view s) {
    for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b >= 0x80 || c == '"' || c == '\\') {
            out += ojson(std::string(s)).dump();
            return;
        }
    }
    out += '"';
    out += s;
    out += '"';
}

// `text` (a dump, whose strings hold no raw newline) as it prints `depth` levels down.
void append_shifted(std::string& out, const std::string& text, std::size_t shift) {
    if (shift == 0) {
        out += text;
        return;
    }
    const std::string newline = "\n" + std::string(shift, ' ');
    std::size_t from = 0;
    for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from)) {
        out.append(text, from, nl - from);
        out += newline;
        from = nl + 1;
    }
    out.append(text, from, std::string::npos);
}

// Where a marker string sits in a dump: its offset, and the depth (spaces) of its line.
struct MarkerAt {
    std::size_t at = std::string::npos, level = 0;
};
MarkerAt find_marker(const std::string& text, const std::string& quoted, std::size_t from, int indent) {
    MarkerAt m;
    m.at = text.find(quoted, from);
    if (m.at == std::string::npos) return m;
    // The key's line gives the depth: elements one step deeper, the bracket at its level.
    const std::size_t line = text.rfind('\n', m.at);
    m.level = indent < 0 || line == std::string::npos ? 0 : text.find_first_not_of(' ', line + 1) - (line + 1);
    return m;
}

// Writes an array whose elements come from `each` (called with a function per element) as
// nlohmann prints it `level` spaces deep; `flush` may take `out` whenever it grows large.
void write_array(std::string& out, int indent, std::size_t level,
                 const std::function<void(const std::function<void()>&)>& each,
                 const std::function<void(std::string&)>& flush, const std::function<void(std::string&)>& element) {
    const std::string inner =
        indent < 0 ? std::string() : "\n" + std::string(level + static_cast<std::size_t>(indent), ' ');
    bool any = false;
    each([&] {
        out += any ? "," : "[";
        any = true;
        out += inner;
        element(out);
        if (out.size() >= (std::size_t{1} << 20)) flush(out);
    });
    if (!any) {
        out += "[]";
        return;
    }
    if (indent >= 0) out += "\n" + std::string(level, ' ');
    out += ']';
}

// A method's extra document `level` spaces deep, its streamed rows written one at a time.
void write_extra(std::string& out, const MethodReport& m, const std::string& tag, int indent, std::size_t level,
                 const std::function<void(std::string&)>& flush) {
    if (!m.extra_rows) {
        // Its own dump, shifted to this depth. The document would hold it re-parsed in its key
        // order, which prints the same.
        append_shifted(out, m.extra.dump(indent), level);
        return;
    }
    nlohmann::json value = m.extra;
    const std::string quoted = "\"" + tag + "rows\"";
    value[m.extra_rows_key] = tag + "rows";
    const std::string text = value.dump(indent);
    const MarkerAt marker = find_marker(text, quoted, 0, indent);
    if (marker.at == std::string::npos || text.find(quoted, marker.at + 1) != std::string::npos) {
        append_shifted(out, whole_extra(m).dump(indent), level);  // the data holds the tag: all at once
        return;
    }
    append_shifted(out, text.substr(0, marker.at), level);
    const std::size_t depth = level + marker.level;
    const std::size_t element_shift = depth + static_cast<std::size_t>(std::max(indent, 0));
    const nlohmann::json* current = nullptr;
    write_array(
        out, indent, depth,
        [&](const std::function<void()>& next) {
            m.extra_rows([&](const nlohmann::json& e) {
                current = &e;
                next();
            });
        },
        flush, [&](std::string& o) { append_shifted(o, current->dump(indent), indent < 0 ? 0 : element_shift); });
    append_shifted(out, text.substr(marker.at + quoted.size()), level);
}

// doc.dump(indent) with the spliced arrays written in place of their markers, into `out`;
// `flush` may take `out` whenever it grows large (a million belief traces). Falls back to the
// plain document when a data text happens to hold the tag.
void spliced_dump(const ojson& doc, const Splices& splices, const data::Dataset& ds, int indent,
                  const std::function<ojson()>& plain, std::string& out,
                  const std::function<void(std::string&)>& flush) {
    const std::string text = doc.dump(indent);
    // The markers must be found exactly once each, as whole JSON strings, in order: checked
    // before anything is written.
    std::size_t markers = 0;
    for (std::size_t at = text.find(splices.tag); at != std::string::npos; at = text.find(splices.tag, at + 1))
        ++markers;
    std::vector<MarkerAt> places;
    std::size_t from = 0;
    for (std::size_t k = 0; k < splices.ids.size() && markers == splices.ids.size(); ++k) {
        const std::string quoted = "\"" + splices.marker(k) + "\"";
        places.push_back(find_marker(text, quoted, from, indent));
        if (places.back().at == std::string::npos) break;
        from = places.back().at + quoted.size();
    }
    if (markers != splices.ids.size() || (!places.empty() && places.back().at == std::string::npos)) {
        out += plain().dump(indent);
        return;
    }
    out.reserve(out.size() + text.size());
    std::size_t copied = 0;
    for (std::size_t k = 0; k < splices.ids.size(); ++k) {
        const std::string quoted = "\"" + splices.marker(k) + "\"";
        const auto [at, level] = places[k];
        out.append(text, copied, at - copied);
        copied = at + quoted.size();
        if (splices.extra[k]) {
            write_extra(out, *splices.extra[k], splices.tag, indent, level, flush);
            continue;
        }
        const std::size_t count = splices.ids[k] ? splices.ids[k]->size() : splices.decisions[k]->size();
        std::size_t i = 0;
        write_array(
            out, indent, level,
            [&](const std::function<void()>& next) {
                for (i = 0; i < count; ++i) next();
            },
            flush,
            [&](std::string& o) {
                if (splices.ids[k])
                    append_json_string(o, ds.id[(*splices.ids[k])[i]]);
                else
                    o += std::to_string((*splices.decisions[k])[i]);
            });
    }
    out.append(text, copied, std::string::npos);
}

}  // namespace

nlohmann::ordered_json report_to_json(const Report& r, const data::Dataset& ds) {
    ojson j = head_json(r, ds);
    ojson datasets = ojson::object();
    for (const DatasetReport& d : r.datasets) datasets[d.name] = dataset_json(d, r.options, ds, nullptr);
    j["datasets"] = datasets;
    j["generator"] = generator_json(r.seconds);
    return j;
}

struct ReportJsonStream::State {
    const data::Dataset& ds;
    EvalOptions options;
    int indent;
    Sink sink;
    ojson head;
    bool head_written = false, any_dataset = false;
    Splices splices;
};

ReportJsonStream::ReportJsonStream(const Report& head, const data::Dataset& ds, int indent, Sink sink)
    : s_(std::make_unique<State>(State{ds, head.options, indent, std::move(sink), head_json(head, ds), false, false, {}})) {
    s_->splices.tag = "automix-splice-" + std::to_string(reinterpret_cast<std::uintptr_t>(s_.get())) + "-";
}

ReportJsonStream::~ReportJsonStream() = default;

// nlohmann's layout of one object member `depth` levels down: a line of its own when indented.
std::string ReportJsonStream::member(const std::string& key, std::size_t depth) const {
    std::string out;
    if (s_->indent >= 0) out += "\n" + std::string(depth * static_cast<std::size_t>(s_->indent), ' ');
    append_json_string(out, key);
    out += s_->indent >= 0 ? ": " : ":";
    return out;
}

void ReportJsonStream::write_head() {
    if (s_->head_written) return;
    s_->head_written = true;
    // The head's members as the whole document prints them, its closing brace left off.
    std::string text = s_->head.dump(s_->indent);
    text.pop_back();  // '}'
    if (s_->indent >= 0) text.pop_back();  // its newline
    text += ',';
    text += member("datasets", 1);
    text += '{';
    s_->sink(text);
}

void ReportJsonStream::dataset(const DatasetReport& d) {
    write_head();
    s_->splices.clear();
    const ojson doc = dataset_json(d, s_->options, s_->ds, &s_->splices);
    std::string text = s_->any_dataset ? "," : "";
    s_->any_dataset = true;
    text += member(d.name, 2);
    // The body as it prints two levels down, handed on in pieces (so a large one is never held).
    const std::size_t shift = s_->indent < 0 ? 0 : 2 * static_cast<std::size_t>(s_->indent);
    const auto flush = [&](std::string& body) {
        append_shifted(text, body, shift);
        body.clear();
        s_->sink(text);
        text.clear();
    };
    std::string body;
    spliced_dump(doc, s_->splices, s_->ds, s_->indent,
                 [&] { return dataset_json(d, s_->options, s_->ds, nullptr); }, body, flush);
    flush(body);
}

void ReportJsonStream::finish(double seconds) {
    write_head();
    std::string text;
    if (s_->any_dataset && s_->indent >= 0) text += "\n" + std::string(static_cast<std::size_t>(s_->indent), ' ');
    text += "},";
    text += member("generator", 1);
    append_shifted(text, generator_json(seconds).dump(s_->indent),
                   s_->indent < 0 ? 0 : static_cast<std::size_t>(s_->indent));
    if (s_->indent >= 0) text += '\n';
    text += '}';
    s_->sink(text);
}

std::string report_to_json_text(const Report& r, const data::Dataset& ds, int indent) {
    std::string out;
    ReportJsonStream stream(r, ds, indent, [&out](std::string_view chunk) { out += chunk; });
    for (const DatasetReport& d : r.datasets) stream.dataset(d);
    stream.finish(r.seconds);
    return out;
}

std::string report_to_csv(const Report& r) {
    const bool paper = r.options.protocol == Protocol::Paper;
    const std::vector<const MetricField*> v1 = layout_fields(kCsvLayout);
    const std::vector<const MetricField*> added = added_fields(r.options.all_metrics);
    std::ostringstream out;
    out << "dataset,method,ok,param,train_lift";
    for (const MetricField* f : v1) out << ',' << val_key(*f);
    out << ",aiq,calls_for_50pct_gap,calls_for_80pct_gap,val_lift_std,error,protocol";
    // After the v1 columns, so that readers counting columns keep working.
    for (const MetricField* f : added) out << ',' << val_key(*f);
    out << '\n';
    // Which protocol made the row (full: one training on the whole train split; paper: mean
    // over seeds of the paper's sub-sampled training), so a CSV read on its own says so.
    const char* protocol = paper ? "paper" : "full";
    for (const auto& d : r.datasets) {
        for (const auto& m : d.methods) {
            out << csv_field(d.name) << ',' << csv_field(m.key) << ',' << (m.ok ? 1 : 0) << ',';
            if (m.ok && !paper) {
                out << csv_field(m.best.dump()) << ',' << fmt(m.train_lift, "%.17g");
                for (const MetricField* f : v1) out << ',' << fmt(f->value(m.val), "%.17g");
                out << ',' << fmt(m.val_curve.aiq, "%.17g") << ',' << fmt(m.val_curve.calls_for_50pct_gap, "%.17g")
                    << ',' << fmt(m.val_curve.calls_for_80pct_gap, "%.17g") << ",,";
            } else if (m.ok) {
                out << ",," << fmt(m.val_cost_stat.mean, "%.17g") << ',' << fmt(m.val_perf_stat.mean, "%.17g") << ','
                    << fmt(m.val_lift_stat.mean, "%.17g") << ",,,,,," << fmt(m.val_lift_stat.std, "%.17g") << ',';
            } else {
                out << ",,,,,,,,,,,";
            }
            out << csv_field(m.error) << ',' << protocol;
            // The paper protocol keeps means over seeds of cost, perf and lift only.
            for (const MetricField* f : added) out << ',' << (m.ok && !paper ? fmt(f->value(m.val), "%.17g") : "");
            out << '\n';
        }
    }
    return out.str();
}

namespace {

// Pads or cuts a cell to `width` characters: UTF-8 code points, not bytes, so the columns stay
// aligned after "λ ∈ [...]" or "≥", and a cut never splits a character.
std::string fit_cell(const std::string& text, std::size_t width) {
    const auto starts_char = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
    std::size_t chars = 0;
    for (char c : text) chars += starts_char(c) ? 1 : 0;
    if (chars <= width) return text + std::string(width - chars, ' ');
    std::size_t end = 0, kept = 0;
    for (; end < text.size(); ++end)
        if (starts_char(text[end]) && kept++ == width - 3) break;
    return text.substr(0, end) + "...";
}

}  // namespace

std::string report_to_table(const Report& r) {
    const bool paper = r.options.protocol == Protocol::Paper;
    std::ostringstream out;
    for (const auto& d : r.datasets) {
        out << d.name << "  (train " << d.n_train << ", val " << d.n_val << ")   small: cost "
            << fmt(d.slm_only.cost, "%g") << " perf " << fmt(d.slm_only.perf) << "   large: cost "
            << fmt(d.llm_only.cost, "%g") << " perf " << fmt(d.llm_only.perf) << '\n';
        for (const auto& w : d.warnings) out << "  warning: " << w << '\n';
        char line[512];
        if (!paper)
            std::snprintf(line, sizeof line, "  %-36s %-40s %9s %8s %9s %9s\n", "method", "parameter", "cost", "perf",
                          "lift", "train");
        else
            std::snprintf(line, sizeof line, "  %-36s %9s %8s %20s\n", "method", "cost", "perf", "lift (mean ± std)");
        out << line;
        for (const auto& m : d.methods) {
            if (!m.ok) {
                std::snprintf(line, sizeof line, "  %-36s error: %s\n", m.key.c_str(), m.error.c_str());
            } else if (!paper) {
                const std::string param = fit_cell(describe(m.key, m.best, r.options.config), 40);
                std::snprintf(line, sizeof line, "  %-36s %s %9s %8s %8s%% %8s%%\n", m.key.c_str(), param.c_str(),
                              fmt(m.val.avg_cost, "%.3f").c_str(), fmt(m.val.avg_perf).c_str(),
                              fmt(100 * m.val.lift, "%.1f").c_str(), fmt(100 * m.train_lift, "%.1f").c_str());
            } else {
                const std::string lift =
                    fmt(100 * m.val_lift_stat.mean, "%.1f") + "% ± " + fmt(100 * m.val_lift_stat.std, "%.1f") + "%";
                std::snprintf(line, sizeof line, "  %-36s %9s %8s %20s\n", m.key.c_str(),
                              fmt(m.val_cost_stat.mean, "%.3f").c_str(), fmt(m.val_perf_stat.mean).c_str(),
                              lift.c_str());
            }
            out << line;
        }
        out << '\n';
    }
    return out.str();
}

}  // namespace automix::eval
