#include "core/live/transcript.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "core/data/json_parse.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::live {

namespace {

const char* verdict_word(scoring::Verdict v) {
    switch (v) {
        case scoring::Verdict::Correct: return "correct";
        case scoring::Verdict::Incorrect: return "incorrect";
        case scoring::Verdict::None: break;
    }
    return "none";
}

}  // namespace

RowTranscript transcribe_row(const data::Dataset& ran, data::RowIndex row, const RowOutcome& outcome,
                             const ModelsConfig& cfg, const PromptTemplates& prompts) {
    RowTranscript t;
    t.id = row < ran.id.size() ? ran.id[row] : std::string();
    t.money = outcome.money;
    t.paid = outcome.paid;
    t.money_estimated = outcome.money_estimated;
    t.done = outcome.done;
    t.error = outcome.error;
    const auto model_name = [&](int j) {
        return j >= 0 && static_cast<std::size_t>(j) < cfg.models.size() ? cfg.models[static_cast<std::size_t>(j)].name
                                                                         : "model " + std::to_string(j);
    };
    if (outcome.done && outcome.final_model >= 0 && static_cast<std::size_t>(outcome.final_model) < ran.models.size()) {
        const auto& col = ran.models[static_cast<std::size_t>(outcome.final_model)];
        t.final_model = model_name(outcome.final_model);
        t.answer = col.answer[row];
        t.score = col.score[row];
        for (int j = 0; j <= outcome.final_model; ++j) t.path += (j ? " → " : "") + model_name(j);
    }

    // One step per (model, kind), in the order the calls were made.
    std::map<std::pair<int, std::string>, std::size_t> step_of;
    for (const CallRecord& c : outcome.calls) {
        const auto key = std::make_pair(c.model, c.kind);
        auto it = step_of.find(key);
        if (it == step_of.end()) {
            it = step_of.emplace(key, t.steps.size()).first;
            StepTranscript s;
            s.model_index = c.model;
            s.model = model_name(c.model);
            s.kind = c.kind;
            if (static_cast<std::size_t>(c.model) < ran.models.size()) {
                const auto& col = ran.models[static_cast<std::size_t>(c.model)];
                if (c.kind == "answer") {
                    s.prompt = answer_prompt(prompts, ran, row);
                    s.replies.emplace_back(col.answer[row]);
                } else {
                    s.prompt = verify_prompt(prompts, ran, row, col.answer[row]);
                    if (row < col.verifier_samples.size()) s.replies = col.verifier_samples[row];
                    for (const auto& r : s.replies) s.verdicts.emplace_back(verdict_word(scoring::verdict(r)));
                }
            }
            t.steps.push_back(std::move(s));
        }
        StepTranscript& s = t.steps[it->second];
        ++s.calls;
        if (c.cached) {
            ++s.cached;
        } else {
            s.latency_s += c.latency_s;
            t.latency_s += c.latency_s;
        }
        s.attempts += c.attempts;
        if (c.http_status) s.http_status = c.http_status;
        if (!c.error.empty()) s.error += (s.error.empty() ? "" : "; ") + c.error;
    }
    // Calls finish in any order (a run_all_models run asks the large model at once).
    std::stable_sort(t.steps.begin(), t.steps.end(), [](const StepTranscript& a, const StepTranscript& b) {
        return a.model_index != b.model_index ? a.model_index < b.model_index : a.kind == "answer" && b.kind != "answer";
    });
    return t;
}

std::vector<std::pair<data::RowIndex, RowTranscript>> transcripts_from_data(const data::Dataset& ds,
                                                                            const std::atomic<bool>* cancel) {
    std::vector<std::pair<data::RowIndex, RowTranscript>> out;
    ModelsConfig names;  // only the names matter to transcribe_row
    for (const auto& m : ds.models) {
        ModelEndpoint e;
        e.name = m.name;
        names.models.push_back(std::move(e));
    }
    const PromptTemplates no_prompts;
    const auto index_of = [&](const nlohmann::json& name) {
        for (std::size_t j = 0; j < ds.models.size(); ++j)
            if (name.is_string() && ds.models[j].name == name.get_ref<const std::string&>()) return static_cast<int>(j);
        return -1;
    };
    for (data::RowIndex r = 0; r < ds.size() && r < ds.extra_json.size(); ++r) {
        if (cancel && (r & 1023) == 0 && cancel->load()) break;
        if (ds.extra_json[r].find("\"live\"") == std::string::npos) continue;
        const auto extra = data::json::parse_limited_or_discarded(ds.extra_json[r]);
        if (!extra.is_object() || !extra.contains("live") || !extra["live"].is_object()) continue;
        const nlohmann::json& live = extra["live"];
        if (live.value("skipped", false)) continue;
        RowOutcome o;
        o.final_model = live.contains("final_model") ? index_of(live["final_model"]) : -1;
        o.done = o.final_model >= 0;
        if (live.contains("money") && live["money"].is_number()) o.money = live["money"].get<double>();
        if (live.contains("paid_this_run") && live["paid_this_run"].is_number())
            o.paid = live["paid_this_run"].get<double>();
        o.money_estimated = live.value("money_estimated", false);
        if (live.contains("error") && live["error"].is_string()) o.error = live["error"].get<std::string>();
        if (live.contains("calls") && live["calls"].is_array())
            for (const auto& c : live["calls"]) {
                if (!c.is_object()) continue;
                CallRecord rec;
                rec.model = index_of(c.value("model", nlohmann::json()));
                if (rec.model < 0) continue;
                rec.kind = c.value("kind", std::string("answer"));
                rec.samples = c.value("samples", 1);
                rec.cached = c.value("cached", false);
                rec.http_status = c.value("http_status", 0L);
                rec.attempts = c.value("attempts", 0);
                rec.latency_s = c.value("latency_s", 0.0);
                rec.error = c.value("error", std::string());
                o.calls.push_back(std::move(rec));
            }
        RowTranscript t = transcribe_row(ds, r, o, names, no_prompts);
        if (!o.done && t.path.empty() && live.contains("escalated") && live["escalated"].is_array()) {
            // A failed row: the models it reached.
            const std::size_t reached = std::min(ds.models.size(), live["escalated"].size() + 1);
            for (std::size_t j = 0; j < reached; ++j) t.path += (j ? " → " : "") + ds.models[j].name;
        }
        out.emplace_back(r, std::move(t));
    }
    return out;
}

}  // namespace automix::live
