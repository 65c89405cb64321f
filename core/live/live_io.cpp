#include "core/live/live_io.hpp"
#include "core/data/json_parse.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include <unordered_map>

#include "core/scoring/verifier.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace automix::live {

using nlohmann::json;

namespace {

class MemoryContexts : public data::ContextStore {
  public:
    std::vector<std::string> texts;
    std::string context(data::RowIndex row) const override { return row < texts.size() ? texts[row] : std::string(); }
    bool has_context(data::RowIndex row) const override { return row < texts.size() && !texts[row].empty(); }
    std::size_t bytes_used() const override {
        std::size_t n = texts.size() * sizeof(std::string);
        for (const std::string& t : texts) n += t.size();
        return n;
    }
};

std::string read_all(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files transparently too
    if (!f) throw std::runtime_error(path + ": cannot open");
    std::string data;
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) data.append(buf, static_cast<std::size_t>(n));
    int err = 0;
    const char* msg = gzerror(f, &err);
    const std::string why = (n < 0 && msg) ? msg : "";
    gzclose(f);
    if (n < 0) throw std::runtime_error(path + ": read error: " + why);
    return data;
}

std::string field_string(const json& obj, const char* key, const std::string& where, bool required) {
    if (!obj.contains(key)) {
        if (required) throw std::runtime_error(where + ": field `" + key + "` is required");
        return {};
    }
    const auto& v = obj[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null() && !required) return {};
    if (std::string(key) == "id" && v.is_number_integer()) return std::to_string(v.get<long long>());
    throw std::runtime_error(where + ": field `" + key + "`: expected string, got " + v.type_name());
}

json number_or_null(double x) {
    return std::isfinite(x) ? json(x) : json(nullptr);
}

}  // namespace

LiveInput read_live_input(const std::string& path) {
    const std::string data = read_all(path);
    LiveInput in;
    auto& ds = in.dataset;
    auto contexts = std::make_shared<MemoryContexts>();
    std::size_t pos = 0, line_no = 0;
    std::unordered_map<std::string, std::size_t> first_line;
    if (data.rfind("\xEF\xBB\xBF", 0) == 0) pos = 3;
    while (pos < data.size()) {
        ++line_no;
        std::size_t end = data.find('\n', pos);
        if (end == std::string::npos) end = data.size();
        std::string line = data.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        const std::string where = path + ":" + std::to_string(line_no);
        json obj;
        try {
            obj = data::json::parse_limited(line);
        } catch (const data::json::LimitError& e) {
            throw std::runtime_error(where + ":" + std::to_string(e.offset + 1) + ": " + e.what());
        } catch (const json::parse_error& e) {
            throw std::runtime_error(where + ":" + std::to_string(e.byte) + ": invalid JSON");
        }
        if (!obj.is_object()) throw std::runtime_error(where + ":1: expected a JSON object");
        if (obj.contains("automix_manifest")) {  // native format manifest: models come from the config
            if (!in.records.empty()) throw std::runtime_error(where + ": a manifest is only allowed on the first line");
            in.native = true;
            continue;
        }
        if (obj.contains("models") && obj["models"].is_array()) in.native = true;
        ds.id.push_back(field_string(obj, "id", where, true));
        // Refused now: `automix eval` refuses the output later, after the calls were paid.
        if (auto [it, fresh] = first_line.try_emplace(std::string(ds.id.back()), line_no); !fresh)
            throw std::runtime_error(where + ": duplicate id '" + std::string(ds.id.back()) + "' (first at line " +
                                     std::to_string(it->second) + ")");
        ds.question.push_back(field_string(obj, "question", where, true));
        ds.pid.push_back(field_string(obj, "pid", where, false));
        std::string gold = field_string(obj, "output", where, false);
        if (gold.empty()) gold = field_string(obj, "gold", where, false);
        ds.gold.push_back(gold);
        std::string ctx = field_string(obj, "base_ctx", where, false);
        if (ctx.empty()) ctx = field_string(obj, "context", where, false);
        contexts->texts.push_back(std::move(ctx));
        std::string dataset = field_string(obj, "dataset", where, false);
        if (dataset.empty()) dataset = "live";
        int di = ds.find_dataset(dataset);
        if (di < 0) {
            ds.dataset_names.push_back(dataset);
            di = static_cast<int>(ds.dataset_names.size()) - 1;
        }
        ds.dataset_index.push_back(static_cast<std::uint16_t>(di));
        const std::string split = field_string(obj, "split", where, false);
        ds.split.push_back(split == "train" ? data::Split::Train
                           : split == "val" ? data::Split::Val
                                            : data::Split::Other);
        ds.category.push_back(data::Category::Undefined);
        ds.category_from_file.push_back(0);
        if (obj.contains("options")) {
            const auto& o = obj["options"];
            if (!o.is_array()) throw std::runtime_error(where + ": field `options`: expected an array of strings");
            for (const auto& x : o)
                if (!x.is_string()) throw std::runtime_error(where + ": field `options`: expected an array of strings");
            ds.extra_json.push_back(json{{"options", o}}.dump());
        } else {
            ds.extra_json.push_back("");
        }
        ds.source_line.push_back(static_cast<std::uint32_t>(line_no));
        in.records.push_back(std::move(obj));
    }
    ds.contexts = contexts;
    ds.source_path = path;
    ds.format = "live-input";
    return in;
}

namespace {

void append_row(LiveInput& in, MemoryContexts& contexts, json rec) {
    auto& ds = in.dataset;
    auto str = [&](const char* key) {
        return rec.contains(key) && rec[key].is_string() ? rec[key].get<std::string>() : std::string();
    };
    ds.id.push_back(str("id"));
    ds.pid.push_back(str("pid"));
    ds.question.push_back(str("question"));
    ds.gold.push_back(str("output"));
    contexts.texts.push_back(str("base_ctx"));
    std::string dataset = str("dataset");
    if (dataset.empty()) dataset = "live";
    int di = ds.find_dataset(dataset);
    if (di < 0) {
        ds.dataset_names.push_back(dataset);
        di = static_cast<int>(ds.dataset_names.size()) - 1;
    }
    ds.dataset_index.push_back(static_cast<std::uint16_t>(di));
    const std::string split = str("split");
    ds.split.push_back(split == "train" ? data::Split::Train : split == "val" ? data::Split::Val : data::Split::Other);
    ds.category.push_back(data::Category::Undefined);
    ds.category_from_file.push_back(0);
    ds.extra_json.push_back(rec.contains("options") ? json{{"options", rec["options"]}}.dump() : std::string());
    ds.source_line.push_back(static_cast<std::uint32_t>(ds.id.size()));
    in.records.push_back(std::move(rec));
}

}  // namespace

LiveInput live_input_from(const data::Dataset& source, const data::View& rows) {
    LiveInput in;
    auto contexts = std::make_shared<MemoryContexts>();
    for (data::RowIndex r : rows) {
        json rec = {{"id", source.id[r]},
                    {"dataset", std::string(source.dataset_name(r))},
                    {"split", std::string(data::to_string(source.split[r]))},
                    {"question", source.question[r]}};
        if (r < source.pid.size() && !source.pid[r].empty()) rec["pid"] = source.pid[r];
        if (!source.gold[r].empty()) rec["output"] = source.gold[r];
        const std::string ctx = source.context(r);
        if (!ctx.empty()) rec["base_ctx"] = ctx;
        if (r < source.extra_json.size() && !source.extra_json[r].empty()) {
            const auto extra = data::json::parse_limited_or_discarded(source.extra_json[r]);
            if (extra.is_object() && extra.contains("options") && extra["options"].is_array())
                rec["options"] = extra["options"];
        }
        append_row(in, *contexts, std::move(rec));
    }
    in.dataset.contexts = contexts;
    in.dataset.format = "live-input";
    in.native = source.format == "native";
    return in;
}

LiveInput live_input_from_question(const std::string& id, const std::string& context, const std::string& question,
                                   const std::string& gold) {
    LiveInput in;
    auto contexts = std::make_shared<MemoryContexts>();
    json rec = {{"id", id}, {"question", question}};
    if (!context.empty()) rec["base_ctx"] = context;
    if (!gold.empty()) rec["output"] = gold;
    append_row(in, *contexts, std::move(rec));
    in.dataset.contexts = contexts;
    in.dataset.format = "live-input";
    return in;
}

json output_record(const LiveInput& in, data::RowIndex r, const RowOutcome& o, const ModelsConfig& cfg) {
    const auto& ds = in.dataset;
    json rec = in.records[r];
    if (o.skipped) {
        // Not part of this run (--limit): the input line as it was, stored answers included.
        rec["live"] = {{"skipped", true}};
        return rec;
    }
    const std::size_t n = ds.models.size();
    if (n == 2 && !in.native) {
        static const char* answer_key[2] = {"llama13b_pred_ans", "llama70b_pred_ans"};
        static const char* score_key[2] = {"llama13b_f1", "llama70b_f1"};
        for (std::size_t j = 0; j < 2; ++j) {
            const auto& c = ds.models[j];
            if (c.has_answer[r]) {
                rec[answer_key[j]] = c.answer[r];
                rec[score_key[j]] = number_or_null(c.score[r]);
            } else {
                rec.erase(answer_key[j]);
                rec.erase(score_key[j]);
            }
        }
        const auto& s = ds.models[0];
        if (s.verifier_samples.has_samples(r)) {
            rec["llama13b_ver"] = s.verifier_samples[r];
            rec["p_ver_13b"] = number_or_null(s.verifier_confidence[r]);
        } else {
            rec.erase("llama13b_ver");
            rec.erase("p_ver_13b");
        }
    } else {
        // Native format: one entry per model, by name; a model that was not asked has a null
        // score (the row is then not complete enough for offline evaluation).
        json models = json::array();
        for (std::size_t j = 0; j < n; ++j) {
            const auto& c = ds.models[j];
            json m = {{"name", c.name}, {"score", c.has_answer[r] ? number_or_null(c.score[r]) : json(nullptr)}};
            if (c.has_answer[r]) m["answer"] = c.answer[r];
            if (c.verifier_samples.has_samples(r)) {
                m["verifier_samples"] = c.verifier_samples[r];
                m["verifier_confidence"] = number_or_null(c.verifier_confidence[r]);
            }
            models.push_back(std::move(m));
        }
        rec["models"] = std::move(models);
        // Native field names for the row's own text fields.
        if (rec.contains("base_ctx") && !rec.contains("context")) {
            rec["context"] = rec["base_ctx"];
            rec.erase("base_ctx");
        }
        if (rec.contains("output") && !rec.contains("gold")) {
            rec["gold"] = rec["output"];
            rec.erase("output");
        }
    }
    json live = {{"models", json::array()},
                 {"escalated", o.escalated},
                 {"cost_units", o.cost_units},
                 {"money", o.money},
                 {"paid_this_run", o.paid}};
    if (o.money_estimated) live["money_estimated"] = true;
    for (const auto& m : cfg.models) live["models"].push_back(m.name);
    // Verdict counts per verified model: a confidence from 1 verdict in 8 samples is weak.
    json verdicts = json::object();
    for (std::size_t j = 0; j + 1 < n; ++j) {
        const auto& samples = ds.models[j].verifier_samples[r];
        if (samples.empty()) continue;
        const auto c = scoring::count_verdicts(samples);
        verdicts[ds.models[j].name] = {{"samples", samples.size()}, {"with_verdict", c.correct + c.incorrect}};
    }
    if (!verdicts.empty()) live["verdicts"] = std::move(verdicts);
    if (!o.calls.empty()) {
        json calls = json::array();
        for (const auto& c : o.calls) {
            json jc = {{"model", cfg.models[static_cast<std::size_t>(c.model)].name}, {"kind", c.kind}};
            if (c.kind == "verify") jc["samples"] = c.samples;
            if (c.cached) {
                jc["cached"] = true;
            } else {
                jc["http_status"] = c.http_status;
                jc["attempts"] = c.attempts;
                jc["latency_s"] = std::round(c.latency_s * 1e4) / 1e4;
            }
            if (!c.error.empty()) jc["error"] = c.error;
            calls.push_back(std::move(jc));
        }
        live["calls"] = std::move(calls);
    }
    if (o.final_model >= 0) {
        live["final_model"] = cfg.models[static_cast<std::size_t>(o.final_model)].name;
        live["final_answer"] = ds.models[static_cast<std::size_t>(o.final_model)].answer[r];
        live["final_score"] = number_or_null(ds.models[static_cast<std::size_t>(o.final_model)].score[r]);
    }
    if (!o.error.empty()) live["error"] = o.error;
    rec["live"] = std::move(live);
    return rec;
}

void check_output_writable(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw std::runtime_error(path + ": is a directory, not an output file");
    const std::string tmp = path + ".tmp";
    if (fs::is_symlink(fs::symlink_status(tmp, ec))) fs::remove(tmp, ec);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) throw std::runtime_error(tmp + ": cannot write: " + std::strerror(errno));
    ::close(fd);
    fs::remove(tmp, ec);
}

void write_live_output(const std::string& path, const LiveInput& in, const std::vector<RowOutcome>& outcomes,
                       const ModelsConfig& cfg) {
    const std::string tmp = path + ".tmp";
    {
        // A symlink planted at the temporary name would redirect the write to its target.
        std::error_code ec;
        if (std::filesystem::is_symlink(std::filesystem::symlink_status(tmp, ec))) std::filesystem::remove(tmp, ec);
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(tmp + ": cannot write");
        if (in.native || in.dataset.models.size() != 2) {
            json models = json::array();
            for (std::size_t j = 0; j < cfg.models.size(); ++j)
                models.push_back({{"name", in.dataset.models[j].name},
                                  {"display_name", in.dataset.models[j].display_name},
                                  {"cost", cfg.models[j].call_cost}});
            out << json{{"automix_manifest",
                         {{"format", "automix-native-v1"}, {"models", models}, {"verifier_cost", cfg.verifier_cost}}}}
                       .dump()
                << '\n';
        }
        for (std::size_t r = 0; r < in.records.size(); ++r) {
            const RowOutcome empty{};
            const RowOutcome& o = r < outcomes.size() ? outcomes[r] : empty;
            out << output_record(in, static_cast<data::RowIndex>(r), o, cfg)
                       .dump(-1, ' ', false, json::error_handler_t::replace)
                << '\n';
        }
        out.close();
        if (!out) {
            std::error_code ignored;  // a half-written temporary is no use to anyone
            std::filesystem::remove(tmp, ignored);
            throw std::runtime_error(tmp + ": write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw std::runtime_error(path + ": cannot replace: " + ec.message());
    }
}

}  // namespace automix::live
