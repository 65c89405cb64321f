#include "core/live/transcript.hpp"

#include <algorithm>
#include <map>
#include <utility>

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
                    s.replies.push_back(col.answer[row]);
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

}  // namespace automix::live
