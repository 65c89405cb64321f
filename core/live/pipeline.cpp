#include "core/live/pipeline.hpp"
#include "core/data/json_parse.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/live/streamed_completion.hpp"
#include "core/scoring/f1.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::live {

namespace {

using Clock = std::chrono::steady_clock;

// Checks a reply body before it is billed as good: the server's text must parse as `po` asks
// (choices, finish reason), reading only what was generated after `prompt`.
std::function<std::optional<ParseProblem>(const std::string&)> reply_validator(
    const Provider* api, ParseOptions po, std::shared_ptr<const std::string> prompt) {
    return [api, po, prompt](const std::string& body) -> std::optional<ParseProblem> {
        ParseOptions o = po;
        o.prompt = *prompt;
        ParseProblem why("");
        if (!parse_completion(*api, body, o, &why)) return why;
        return std::nullopt;
    };
}

// Multiple-choice options of a row, from an `options` array among its extra fields.
std::vector<std::string> row_options(const data::Dataset& ds, data::RowIndex r) {
    std::vector<std::string> out;
    if (r >= ds.extra_json.size()) return out;
    const std::string_view extra = ds.extra_json[r];
    if (extra.find("\"options\"") == std::string_view::npos) return out;
    const auto j = data::json::parse_limited_or_discarded(extra);
    if (!j.is_object() || !j.contains("options") || !j["options"].is_array()) return out;
    for (const auto& o : j["options"])
        if (o.is_string()) out.push_back(o.get<std::string>());
    return out;
}

template <class T>
void fit(std::vector<T>& v, std::size_t n, const T& fill) {
    if (v.size() != n) v.resize(n, fill);
}
void fit(data::StringColumn& v, std::size_t n) {
    if (v.size() != n) v.resize(n);
}
void fit(data::SampleColumn& v, std::size_t n) {
    if (v.size() != n) v.resize(n);
}

}  // namespace

void prepare_model_columns(data::Dataset& ds, const ModelsConfig& cfg) {
    const std::size_t n = ds.size();
    if (ds.models.size() != cfg.models.size()) {
        ds.models.clear();
        for (const auto& m : cfg.models) {
            data::ModelColumns c;
            c.name = m.name;
            c.display_name = m.display_name;
            ds.models.push_back(std::move(c));
        }
    }
    for (std::size_t j = 0; j < ds.models.size(); ++j) {
        auto& c = ds.models[j];
        c.call_cost = cfg.models[j].call_cost;
        fit(c.answer, n);
        fit(c.has_answer, n, std::uint8_t{0});
        fit(c.score, n, data::kMissing);
        fit(c.verifier_samples, n);
        fit(c.verifier_confidence, n, data::kMissing);
    }
    ds.verifier_cost = cfg.verifier_cost;
}

namespace {
PromptFields prompt_fields(const data::Dataset& ds, data::RowIndex row) {
    PromptFields f;
    f.context = ds.context(row);
    f.question = ds.question[row];
    f.options = row_options(ds, row);
    return f;
}
}  // namespace

std::string answer_prompt(const PromptTemplates& t, const data::Dataset& ds, data::RowIndex row) {
    return render_prompt(t.answer, prompt_fields(ds, row));
}

std::string verify_prompt(const PromptTemplates& t, const data::Dataset& ds, data::RowIndex row,
                          std::string_view answer) {
    PromptFields f = prompt_fields(ds, row);
    f.answer = trim_prompt_text(answer);
    return render_prompt(t.verify, f);
}

double score_answer(const data::Dataset& ds, data::RowIndex row, const std::string& answer) {
    if (row >= ds.gold.size() || ds.gold[row].empty()) return data::kMissing;
    const std::string gold(ds.gold[row]);
    const std::string_view dataset = row < ds.dataset_index.size() ? ds.dataset_name(row) : std::string_view();
    // A quality gold answer given as an option's text counts by that option's letter; native
    // rows may list the options in an `options` field instead of the question.
    if (dataset == "quality" && scoring::option_letter(gold) == 0) {
        const auto options = row_options(ds, row);
        const std::string want = scoring::normalize_answer(gold);
        for (std::size_t i = 0; i < options.size(); ++i)
            if (scoring::normalize_answer(options[i]) == want)
                return scoring::option_letter(answer) == static_cast<char>('A' + i) ? 1.0 : 0.0;
    }
    return scoring::answer_score(dataset, answer, gold, row < ds.question.size() ? ds.question[row] : std::string());
}

Pipeline::Pipeline(ModelsConfig cfg, std::vector<std::string> api_keys, PromptTemplates prompts,
                   std::shared_ptr<ResponseCache> cache)
    : cfg_(std::move(cfg)), keys_(std::move(api_keys)), prompts_(std::move(prompts)), cache_(std::move(cache)) {
    keys_.resize(cfg_.models.size());
    routing_cfg_.num_bins = cfg_.meta_verifier.num_bins;
    routing_cfg_.call_costs.clear();
    for (const auto& m : cfg_.models) routing_cfg_.call_costs.push_back(m.call_cost);
    routing_cfg_.verifier_cost = cfg_.verifier_cost;
    method_ = routing::find_method(cfg_.meta_verifier.method);
    if (!method_) {
        std::string known;
        for (const auto& m : routing::all_methods())
            if (m->offline_only().empty()) known += (known.empty() ? "" : ", ") + m->name();
        throw ConfigError({cfg_.source + ": meta_verifier.method: unknown method \"" + cfg_.meta_verifier.method +
                           "\" (methods that run live: " + known + ")"});
    }
    if (const std::string why = method_->offline_only(); !why.empty())
        throw ConfigError({cfg_.source + ": meta_verifier.method: " + method_->name() +
                           " cannot route a live run: " + why +
                           " (use a trained method, e.g. `automix eval --methods threshold --emit-config`)"});
    // Route a probe row once so a parameter of the wrong shape is reported now, not mid-run.
    data::Dataset probe;
    probe.id = {"probe"};
    probe.pid = {""};
    probe.question = {""};
    probe.gold = {""};
    probe.dataset_index = {0};
    probe.dataset_names = {"probe"};
    probe.split = {data::Split::Val};
    probe.category = {data::Category::Undefined};
    probe.category_from_file = {0};
    probe.extra_json = {""};
    probe.source_line = {0};
    prepare_model_columns(probe, cfg_);
    probe.models[0].answer.set(0, "probe");
    probe.models[0].has_answer[0] = 1;
    probe.models[0].verifier_confidence[0] = 0.5;
    probe.models[0].score[0] = 0.0;
    try {
        (void)decide(probe, 0, 0);
    } catch (const std::exception& e) {
        throw ConfigError({cfg_.source + ": meta_verifier.params: " + cfg_.meta_verifier.method + " on " +
                           std::to_string(cfg_.models.size()) + " models cannot use parameter " +
                           cfg_.meta_verifier.params.dump() + ": " + e.what()});
    }
}

std::pair<data::Dataset, routing::Config> Pipeline::decision_input(const data::Dataset& ds, data::RowIndex row,
                                                                    std::size_t step) const {
    // Two-model methods judge "small vs large": for a cascade step we present model `step` as
    // the small one and model `step + 1` as the large one. N-model methods get the whole
    // ladder; models after `step` are not asked yet, so they get neutral placeholders (a
    // decision at `step` depends only on the observations up to it).
    const bool ladder = method_->uses_all_models();
    data::Dataset s;
    s.id = {ds.id[row]};
    s.pid = {row < ds.pid.size() ? ds.pid[row] : std::string()};
    s.question = {ds.question[row]};
    s.gold = {ds.gold[row]};
    s.dataset_names = {std::string(ds.dataset_name(row))};
    s.dataset_index = {0};
    s.split = {ds.split[row]};
    s.category = {data::Category::Undefined};
    s.category_from_file = {0};
    s.extra_json = {""};
    s.source_line = {0};
    s.verifier_cost = ds.verifier_cost;
    std::vector<std::size_t> columns;
    if (ladder)
        for (std::size_t j = 0; j < ds.models.size(); ++j) columns.push_back(j);
    else
        columns = {step, step + 1};
    for (std::size_t j : columns) {
        const auto& src = ds.models[j];
        data::ModelColumns c;
        c.name = src.name;
        c.display_name = src.display_name;
        c.call_cost = src.call_cost;
        if (ladder && j > step) {
            c.answer = {std::string()};
            c.has_answer = {1};
            c.score = {0.0};
            c.verifier_samples = {std::vector<std::string>()};
            c.verifier_confidence = {0.5};
        } else {
            c.answer = {src.answer[row]};
            c.has_answer = {src.has_answer[row]};
            c.score = {src.score[row]};
            c.verifier_samples = {src.verifier_samples[row]};
            c.verifier_confidence = {src.verifier_confidence[row]};
        }
        s.models.push_back(std::move(c));
    }
    routing::Config rc = routing_cfg_;
    if (!ladder) rc.call_costs = {ds.models[step].call_cost, ds.models[step + 1].call_cost};
    return {std::move(s), std::move(rc)};
}

std::string Pipeline::explain(const data::Dataset& ds, data::RowIndex row, std::size_t step) const {
    const auto [s, rc] = decision_input(ds, row, step);
    return method_->explain(s, data::View{}, 0, cfg_.meta_verifier.params, rc);
}

std::uint8_t Pipeline::decide(const data::Dataset& ds, data::RowIndex row, std::size_t step) const {
    const bool ladder = method_->uses_all_models();
    const auto [s, rc] = decision_input(ds, row, step);
    const auto d = method_->route(s, data::View{0}, cfg_.meta_verifier.params, rc);
    if (d.size() != 1)
        throw std::runtime_error("routing method returned " + std::to_string(d.size()) + " decisions for 1 row");
    return ladder ? static_cast<std::uint8_t>(d[0] > step ? 1 : 0) : d[0];
}

namespace {

class Run {
  public:
    Run(const Pipeline& p, const ModelsConfig& cfg, const std::vector<std::string>& keys,
        const PromptTemplates& prompts, ResponseCache* cache, data::Dataset& ds, const data::View& rows,
        const RunOptions& options)
        : p_(p), cfg_(cfg), keys_(keys), prompts_(prompts), cache_(cache), ds_(ds), rows_(rows), options_(options),
          own_engine_(options.engine ? nullptr : std::make_unique<CallEngine>(cfg.retry)),
          engine_(options.engine ? *options.engine : *own_engine_), state_(rows.size()) {
        if (options.engine) engine_.reset(cfg.retry);
        engine_.on_event = options.on_event;
        int total_concurrency = 0;
        for (const auto& m : cfg_.models) {
            endpoint_.push_back(engine_.add_endpoint(m.max_concurrency));
            total_concurrency += m.max_concurrency;
        }
        // Rows in flight are bounded so that follow-up calls of started rows are not stuck
        // behind every first call of the whole file, and memory stays small.
        window_ = std::max<std::size_t>(8, static_cast<std::size_t>(total_concurrency) * 2);
        result_.rows.resize(rows.size());
        result_.totals.rows_total = rows.size();
        result_.totals.per_model.resize(cfg_.models.size());
        for (auto& s : state_) s.steps.resize(cfg_.models.size());
    }

    RunResult go() {
        start_ = Clock::now();
        if (options_.cancel && options_.cancel->load()) {
            result_.cancelled = true;
            return std::move(result_);
        }
        start_more();
        const bool finished = engine_.run(options_.cancel);
        result_.stopped = engine_.stopped_reason();
        result_.cancelled = !finished && result_.stopped.empty();
        for (std::size_t i = 0; i < result_.rows.size(); ++i) {
            auto& r = result_.rows[i];
            if (r.done || !r.error.empty()) continue;
            if (!result_.stopped.empty())
                r.error = state_[i].started ? result_.stopped : "not run: " + result_.stopped;
            else
                r.error = finished ? "not finished" : "cancelled";
        }
        result_.engine = engine_.stats();
        summary_warnings();
        report();
        return std::move(result_);
    }

  private:
    enum class Phase { Idle, Pending, Done, Failed };
    struct Step {
        Phase answer = Phase::Idle;
        Phase verify = Phase::Idle;
        std::vector<std::string> samples;
        std::vector<std::uint8_t> have;
        int missing = 0;
        std::shared_ptr<const std::string> verify_prompt;
        std::vector<std::string> keys;  // cache key per sample
    };
    struct RowState {
        std::vector<Step> steps;
        bool started = false, finished = false;
    };
    // What one billed reply cost: from its `usage`, else estimated from the text lengths.
    struct Bill {
        std::int64_t prompt_tokens = 0, completion_tokens = 0;
        double money = 0.0;
        bool estimated = false;
    };

    data::RowIndex row(std::size_t i) const { return rows_[i]; }

    void start_more() {
        // Rows answered from the cache finish inside advance() and call back here; the outer
        // loop picks up their slots, so a long fully cached run does not recurse per row.
        if (starting_) return;
        starting_ = true;
        while (next_row_ < rows_.size() && in_flight_ < window_ && engine_.stopped_reason().empty()) {
            const std::size_t i = next_row_++;
            state_[i].started = true;
            ++in_flight_;
            advance(i);
        }
        starting_ = false;
    }

    void report() {
        auto& t = result_.totals;
        t.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
        t.money = t.money_total = t.money_estimated = 0;
        for (const auto& u : t.per_model) {
            t.money += u.money;
            t.money_total += u.money + u.cached_money;
            t.money_estimated += u.money_estimated;
        }
        t.eta_s = t.rows_done
                      ? t.elapsed_s / static_cast<double>(t.rows_done) * static_cast<double>(t.rows_total - t.rows_done)
                      : -1.0;
        if (options_.on_progress) options_.on_progress(t);
    }

    void warn(std::string w) {
        if (result_.warnings.size() < 40) result_.warnings.push_back(std::move(w));
    }

    // Problems that only show over many calls: missing verdicts, missing `usage`.
    void summary_warnings() {
        for (std::size_t j = 0; j < cfg_.models.size(); ++j) {
            const auto& u = result_.totals.per_model[j];
            const std::string& name = cfg_.models[j].name;
            if (u.verify_samples > 0 && u.verify_with_verdict * 2 < u.verify_samples)
                warn(name + ": only " + std::to_string(u.verify_with_verdict) + " of " +
                     std::to_string(u.verify_samples) +
                     " verification samples had a verdict (\"the AI generated answer is correct/incorrect\"); "
                     "confidences, and so the routing, rest on the few that did: check the verify prompt and the "
                     "model's replies");
            if (u.estimated > 0) {
                char b[64];
                std::snprintf(b, sizeof b, "$%.4f", u.money_estimated);
                warn(name + ": " + std::to_string(u.estimated) + " replies had no `usage`; their " + b +
                     " is estimated from text length (4 bytes a token)");
            }
        }
    }

    void fail(std::size_t i, const std::string& why) {
        auto& out = result_.rows[i];
        if (out.error.empty()) out.error = why;
        finish(i, -1);
    }

    void finish(std::size_t i, int final_model) {
        auto& st = state_[i];
        if (st.finished) return;
        st.finished = true;
        auto& out = result_.rows[i];
        if (final_model >= 0) {
            out.done = true;
            out.final_model = final_model;
            const auto last = cfg_.models.size() - 1;
            for (int j = 0; j <= final_model; ++j) {
                out.cost_units += cfg_.models[static_cast<std::size_t>(j)].call_cost;
                if (static_cast<std::size_t>(j) < last) out.cost_units += cfg_.verifier_cost;
            }
        } else {
            ++result_.totals.rows_failed;
        }
        ++result_.totals.rows_done;
        --in_flight_;
        report();
        if (!(options_.cancel && options_.cancel->load())) start_more();
    }

    // Moves a row forward as far as its data allows; requests whatever is missing next.
    void advance(std::size_t i) {
        auto& st = state_[i];
        if (st.finished) return;
        const std::size_t n_models = cfg_.models.size();
        if (cfg_.run_all_models) {
            bool all_done = true;
            for (std::size_t j = 0; j < n_models && !st.finished; ++j) {
                if (st.steps[j].answer == Phase::Idle) request_answer(i, j);
                if (st.finished) return;
                if (st.steps[j].answer != Phase::Done) all_done = false;
                if (j + 1 < n_models) {
                    if (st.steps[j].answer == Phase::Done && st.steps[j].verify == Phase::Idle) request_verify(i, j);
                    if (st.finished) return;
                    if (st.steps[j].verify != Phase::Done) all_done = false;
                }
            }
            if (!all_done || st.finished) return;
            std::size_t j = 0;
            auto& out = result_.rows[i];
            out.escalated.clear();
            while (j + 1 < n_models) {
                std::uint8_t d = 0;
                if (!decide(i, j, &d)) return;
                out.escalated.push_back(d);
                if (!d) break;
                ++j;
            }
            finish(i, static_cast<int>(j));
            return;
        }
        auto& out = result_.rows[i];
        out.escalated.clear();
        for (std::size_t j = 0;; ++j) {
            Step& s = st.steps[j];
            if (s.answer != Phase::Done) {
                if (s.answer == Phase::Idle) request_answer(i, j);
                return;
            }
            if (j + 1 == n_models) {
                finish(i, static_cast<int>(j));
                return;
            }
            if (s.verify != Phase::Done) {
                if (s.verify == Phase::Idle) request_verify(i, j);
                return;
            }
            std::uint8_t d = 0;
            if (!decide(i, j, &d)) return;
            out.escalated.push_back(d);
            if (!d) {
                finish(i, static_cast<int>(j));
                return;
            }
        }
    }

    // The meta-verifier's decision; a method that throws fails the row instead of the run.
    bool decide(std::size_t i, std::size_t j, std::uint8_t* d) {
        try {
            *d = p_.decide(ds_, row(i), j);
            return true;
        } catch (const std::exception& e) {
            fail(i, cfg_.meta_verifier.method + " on " + std::string(ds_.id[row(i)]) + ": " + e.what());
            return false;
        }
    }

    Sampling answer_sampling(const ModelEndpoint& m) const {
        Sampling s;
        s.temperature = m.temperature;
        s.max_tokens = m.max_tokens;
        s.stop = m.provider().stop_sequences(Purpose::Answer);
        return s;
    }

    Sampling verify_sampling(const ModelEndpoint& m) const {
        Sampling s;
        s.temperature = cfg_.verifier.temperature;
        s.max_tokens = cfg_.verifier.max_tokens;
        s.stop = m.provider().stop_sequences(Purpose::Verify);
        return s;
    }

    std::string label(std::size_t i, std::size_t j, const char* what) const {
        return cfg_.models[j].name + " " + what + " " + std::string(ds_.id[row(i)]);
    }

    Bill bill_of(std::size_t j, const Completion& c, const std::string& prompt) const {
        const ModelEndpoint& m = cfg_.models[j];
        Bill b;
        if (c.has_usage) {
            b.prompt_tokens = c.prompt_tokens;
            b.completion_tokens = c.completion_tokens;
        } else {
            b.prompt_tokens = estimate_tokens(prompt);
            for (const auto& t : c.texts) b.completion_tokens += estimate_tokens(t);
            b.estimated = !m.price_per_call.has_value();  // a per-call price needs no token count
        }
        b.money = m.money(b.prompt_tokens, b.completion_tokens);
        return b;
    }

    // A billed reply paid by row i in this run.
    void pay(std::size_t i, std::size_t j, const Bill& b) {
        auto& usage = result_.totals.per_model[j];
        usage.prompt_tokens += b.prompt_tokens;
        usage.completion_tokens += b.completion_tokens;
        usage.money += b.money;
        auto& out = result_.rows[i];
        out.paid += b.money;
        out.money += b.money;
        if (b.estimated) {
            ++usage.estimated;
            usage.money_estimated += b.money;
            out.money_estimated = true;
        }
    }

    // A 2xx reply that validation rejected: the server billed it, so it is paid and counted.
    void pay_rejected(std::size_t i, std::size_t j, const std::string& prompt, const std::string& body) {
        Completion c;
        if (auto u = parse_usage(cfg_.models[j].provider(), body)) {
            c.has_usage = true;
            c.prompt_tokens = u->first;
            c.completion_tokens = u->second;
        } else {
            c.texts = {body.substr(0, 4096)};  // a rough completion size; the body is not usable text
        }
        ++result_.totals.per_model[j].rejected;
        pay(i, j, bill_of(j, c, prompt));
    }

    void record(std::size_t i, CallRecord rec) {
        if (options_.on_call) options_.on_call(i, rec);
        result_.rows[i].calls.push_back(std::move(rec));
    }

    CallRecord record_of(std::size_t j, const char* kind, int first, int count, const CallResult& r,
                         bool shared) const {
        CallRecord rec;
        rec.model = static_cast<int>(j);
        rec.kind = kind;
        rec.first_sample = first;
        rec.samples = count;
        rec.cached = shared;
        rec.http_status = r.http_status;
        rec.attempts = r.attempts;
        rec.latency_s = r.seconds;
        if (r.status == CallResult::Status::Failed) rec.error = r.error;
        return rec;
    }

    void store(const std::string& key, std::size_t j, const std::string& text, std::int64_t pt, std::int64_t ct,
               double money, bool estimated) {
        if (!cache_) return;
        CachedCall c{key, text, cfg_.models[j].name, pt, ct, money};
        c.estimated = estimated;
        try {
            cache_->put(c);
        } catch (const std::exception& e) {
            // Losing the cache only costs a resume; stopping here would waste paid calls.
            warn(e.what());
        }
    }

    // A cache hit's original cost counts in the row's total, not in what this run paid.
    void cached_cost(std::size_t i, std::size_t j, const CachedCall& hit) {
        auto& usage = result_.totals.per_model[j];
        ++usage.cached;
        usage.cached_money += hit.cost;
        result_.rows[i].money += hit.cost;
        if (hit.estimated) result_.rows[i].money_estimated = true;
    }

    HttpCall make_call(std::size_t i, std::size_t j, const std::string& prompt, const Sampling& s) const {
        const ModelEndpoint& m = cfg_.models[j];
        HttpCall call = m.call(keys_[j], endpoint_[j]);
        call.url = completion_url(m.provider(), m.base_url, m.url_query);
        call.body = request_body(m.provider(), m.model_id, prompt, s, m.extra_body);
        (void)i;
        return call;
    }

    void set_answer(std::size_t i, std::size_t j, const std::string& text) {
        auto& col = ds_.models[j];
        const auto r = row(i);
        col.answer.set(r, text);
        col.has_answer[r] = 1;
        col.score[r] = score_answer(ds_, r, text);
        state_[i].steps[j].answer = Phase::Done;
    }

    void request_answer(std::size_t i, std::size_t j) {
        const ModelEndpoint& m = cfg_.models[j];
        auto prompt = std::make_shared<const std::string>(answer_prompt(prompts_, ds_, row(i)));
        const Sampling s = answer_sampling(m);
        const std::string key = call_identity(j, *prompt, sampling_identity(s, m.extra_body), 0);
        if (cache_) {
            if (auto hit = cache_->find(key)) {
                cached_cost(i, j, *hit);
                CallRecord rec;
                rec.model = static_cast<int>(j);
                rec.kind = "answer";
                rec.cached = true;
                record(i, std::move(rec));
                set_answer(i, j, hit->text);
                advance(i);
                return;
            }
        }
        state_[i].steps[j].answer = Phase::Pending;
        HttpCall call = make_call(i, j, *prompt, s);
        call.label = label(i, j, "answer");
        const Provider* api = &m.provider();
        ParseOptions po;
        po.max_choices = 1;
        call.validate = reply_validator(api, po, prompt);
        call.on_rejected = [this, i, j, prompt](const std::string& body) { pay_rejected(i, j, *prompt, body); };
        // The last model's answer ends the route: streamed when asked for. The reply is put
        // back together before it is checked, billed and cached like any other.
        std::shared_ptr<StreamedCompletion> stream;
        const bool chat = api->stream_format() == StreamFormat::OpenAiChat;
        if (options_.stream_piece && !cfg_.run_all_models && j + 1 == cfg_.models.size() &&
            api->stream_format() != StreamFormat::None) {
            stream = std::make_shared<StreamedCompletion>(chat);
            call.body = streaming_request_body(call.body);
            call.validate = [inner = std::move(call.validate), chat](const std::string& body) {
                return inner(assemble_streamed_body(body, chat));
            };
            call.on_rejected = [this, i, j, prompt, chat](const std::string& body) {
                pay_rejected(i, j, *prompt, assemble_streamed_body(body, chat));
            };
            call.on_data = [this, i, j, stream](std::string_view bytes) {
                const bool was_begun = stream->begun();
                const std::string text = stream->feed(bytes);
                if (!was_begun && stream->begun() && options_.stream_begin) options_.stream_begin(i, j);
                if (!text.empty()) options_.stream_piece(i, text);
            };
        }
        auto on_reply = [this, i, j, key, api, po, prompt, stream, chat](const CallResult& r, bool shared) {
            auto& usage = result_.totals.per_model[j];
            if (r.status == CallResult::Status::Cancelled) return;
            std::string assembled;
            if (stream && r.status == CallResult::Status::Ok) {
                // A last event without its blank line still belongs to the answer.
                const bool was_begun = stream->begun();
                const std::string rest = stream->finish();
                if (!was_begun && stream->begun() && options_.stream_begin) options_.stream_begin(i, j);
                if (!rest.empty()) options_.stream_piece(i, rest);
                assembled = assemble_streamed_body(r.body, chat);
            }
            const std::string& body = stream && r.status == CallResult::Status::Ok ? assembled : r.body;
            record(i, record_of(j, "answer", 0, 1, r, shared));
            if (r.status == CallResult::Status::Failed) {
                if (!shared) ++usage.failed;  // one call failed, however many rows waited on it
                state_[i].steps[j].answer = Phase::Failed;
                fail(i, label(i, j, "answer") + ": " + r.error);
                return;
            }
            ParseOptions o = po;
            o.prompt = *prompt;
            const auto c = parse_completion(*api, body, o, nullptr);
            const Bill b = bill_of(j, *c, *prompt);
            if (shared) {
                ++usage.cached;
                result_.rows[i].money += b.money;
            } else {
                ++usage.calls;
                pay(i, j, b);
                store(key, j, c->texts[0], b.prompt_tokens, b.completion_tokens, b.money, b.estimated);
            }
            if (state_[i].finished) return;
            set_answer(i, j, c->texts[0]);
            advance(i);
            report();
        };
        submit_once(key, std::move(call), std::move(on_reply));
    }

    void verified(std::size_t i, std::size_t j) {
        Step& s = state_[i].steps[j];
        auto& col = ds_.models[j];
        col.verifier_samples.set(row(i), s.samples);
        col.verifier_confidence[row(i)] = scoring::verifier_confidence(s.samples);
        const auto counts = scoring::count_verdicts(s.samples);
        auto& usage = result_.totals.per_model[j];
        usage.verify_samples += s.samples.size();
        usage.verify_with_verdict += static_cast<std::uint64_t>(counts.correct + counts.incorrect);
        s.verify = Phase::Done;
        advance(i);
    }

    bool sends_n(std::size_t j) const {
        return cfg_.models[j].supports_n && cfg_.models[j].provider().takes_n() &&
               !result_.totals.per_model[j].ignores_n;
    }

    void request_verify(std::size_t i, std::size_t j) {
        const ModelEndpoint& m = cfg_.models[j];
        const int k = cfg_.verifier.k;
        Step& st = state_[i].steps[j];
        st.verify_prompt =
            std::make_shared<const std::string>(verify_prompt(prompts_, ds_, row(i), ds_.models[j].answer[row(i)]));
        const std::string identity = sampling_identity(verify_sampling(m), m.extra_body);
        const std::string& api_name = m.api;
        st.samples.assign(static_cast<std::size_t>(k), std::string());
        st.have.assign(static_cast<std::size_t>(k), 0);
        st.keys.assign(static_cast<std::size_t>(k), std::string());
        st.missing = 0;
        int hits = 0;
        for (int t = 0; t < k; ++t) {
            const auto idx = static_cast<std::size_t>(t);
            // Without a cache the keys are never stored or looked up: k hashes of the prompt saved.
            if (cache_) st.keys[idx] = call_key(m.base_url, api_name, m.model_id, *st.verify_prompt, identity, t);
            if (cache_) {
                if (auto hit = cache_->find(st.keys[idx])) {
                    st.samples[idx] = hit->text;
                    st.have[idx] = 1;
                    cached_cost(i, j, *hit);
                    ++hits;
                    continue;
                }
            }
            ++st.missing;
        }
        if (hits > 0) {
            CallRecord rec;
            rec.model = static_cast<int>(j);
            rec.kind = "verify";
            rec.samples = hits;
            rec.cached = true;
            record(i, std::move(rec));
        }
        if (st.missing == 0) {
            verified(i, j);
            return;
        }
        st.verify = Phase::Pending;
        // Missing samples as runs [first, first + count): one call with n = count when the
        // server takes n, else one call per sample. The seed is the sample index, so repeated
        // samples differ yet a resumed run asks for exactly the same ones.
        std::vector<std::pair<int, int>> runs;
        for (int t = 0; t < k; ++t) {
            if (st.have[static_cast<std::size_t>(t)]) continue;
            if (sends_n(j) && !runs.empty() && runs.back().first + runs.back().second == t)
                ++runs.back().second;
            else
                runs.emplace_back(t, 1);
        }
        for (const auto& [first, count] : runs) submit_verify(i, j, first, count);
    }

    void submit_verify(std::size_t i, std::size_t j, int first, int count) {
        const ModelEndpoint& m = cfg_.models[j];
        Step& st = state_[i].steps[j];
        Sampling s = verify_sampling(m);
        s.n = count;
        s.seed = first;
        auto prompt = st.verify_prompt;
        HttpCall call = make_call(i, j, *prompt, s);
        call.label = label(i, j, "verify") + " #" + std::to_string(first) +
                     (count > 1 ? "-" + std::to_string(first + count - 1) : "");
        const Provider* api = &m.provider();
        ParseOptions po;
        po.max_choices = count;
        po.allow_length = true;
        call.validate = reply_validator(api, po, prompt);
        call.on_rejected = [this, i, j, prompt](const std::string& body) { pay_rejected(i, j, *prompt, body); };
        std::vector<std::string> run_keys(st.keys.begin() + first, st.keys.begin() + first + count);
        const std::string first_key =
            cache_ ? run_keys.front()
                   : call_identity(j, *prompt, sampling_identity(verify_sampling(m), m.extra_body), first);
        const std::string flight = first_key + "+" + std::to_string(count);
        auto on_reply = [this, i, j, first, count, run_keys, api, po, prompt](const CallResult& r, bool shared) {
            auto& usage = result_.totals.per_model[j];
            if (r.status == CallResult::Status::Cancelled) return;
            record(i, record_of(j, "verify", first, count, r, shared));
            if (r.status == CallResult::Status::Failed) {
                if (!shared) ++usage.failed;
                state_[i].steps[j].verify = Phase::Failed;
                fail(i, label(i, j, "verify") + ": " + r.error);
                return;
            }
            ParseOptions o = po;
            o.prompt = *prompt;
            const auto c = parse_completion(*api, r.body, o, nullptr);
            const int got = static_cast<int>(c->texts.size());
            const Bill b = bill_of(j, *c, *prompt);
            if (shared) {
                usage.cached += static_cast<std::size_t>(got);
                result_.rows[i].money += b.money;
            } else {
                ++usage.calls;
                pay(i, j, b);
            }
            if (got < count && !usage.ignores_n) {
                usage.ignores_n = true;
                warn(cfg_.models[j].name + ": the server answered a request for " + std::to_string(count) +
                     " samples (n) with " + std::to_string(got) +
                     "; it ignores `n`, so the missing samples are asked for one by one (set \"supports_n\": false "
                     "to skip the first try)");
            }
            Step& st = state_[i].steps[j];
            for (int t = 0; t < got; ++t) {
                // The whole call's usage goes on its first sample, so sums stay exact.
                if (!shared)
                    store(run_keys[static_cast<std::size_t>(t)], j, c->texts[static_cast<std::size_t>(t)],
                          t == 0 ? b.prompt_tokens : 0, t == 0 ? b.completion_tokens : 0, t == 0 ? b.money : 0.0,
                          b.estimated && t == 0);
                const auto idx = static_cast<std::size_t>(first + t);
                if (!st.have.empty() && !st.have[idx]) {
                    st.samples[idx] = c->texts[static_cast<std::size_t>(t)];
                    st.have[idx] = 1;
                    --st.missing;
                }
            }
            if (state_[i].finished) return;
            // The samples the server left out are asked for separately, each with its own seed.
            for (int t = first + got; t < first + count; ++t)
                if (!st.have[static_cast<std::size_t>(t)]) submit_verify(i, j, t, 1);
            if (st.missing == 0) verified(i, j);
            report();
        };
        submit_once(flight, std::move(call), std::move(on_reply));
    }

    // What identifies a call: its cache key when there is a cache; without one it only has to
    // match identical calls in flight, which the model, sample, sampling and prompt text do
    // without hashing (`automix serve` runs one row per request: k hashes of the verification
    // prompt would cost more than the routing).
    std::string call_identity(std::size_t j, const std::string& prompt, const std::string& sampling, int sample) const {
        const ModelEndpoint& m = cfg_.models[j];
        if (cache_) return call_key(m.base_url, m.api, m.model_id, prompt, sampling, sample);
        return std::to_string(j) + '#' + std::to_string(sample) + '#' + sampling + '\n' + prompt;
    }

    // Identical calls in flight at the same time (a question that occurs twice) are sent once:
    // the others wait for that reply and count it as a cache hit, so nothing is paid twice.
    using Waiter = std::function<void(const CallResult&, bool shared)>;
    void submit_once(const std::string& flight_key, HttpCall call, Waiter on_done) {
        auto [it, first] = flights_.try_emplace(flight_key);
        it->second.push_back(std::move(on_done));
        if (!first) return;
        call.done = [this, flight_key](const CallResult& r) {
            auto waiters = std::move(flights_.extract(flight_key).mapped());
            for (std::size_t w = 0; w < waiters.size(); ++w) waiters[w](r, w > 0);
        };
        engine_.submit(std::move(call));
    }

    const Pipeline& p_;
    const ModelsConfig& cfg_;
    const std::vector<std::string>& keys_;
    const PromptTemplates& prompts_;
    ResponseCache* cache_;
    data::Dataset& ds_;
    const data::View& rows_;
    const RunOptions& options_;
    std::unique_ptr<CallEngine> own_engine_;  // when the caller gave none
    CallEngine& engine_;
    std::vector<int> endpoint_;
    std::vector<RowState> state_;
    std::unordered_map<std::string, std::vector<Waiter>> flights_;
    RunResult result_;
    std::size_t window_ = 8, next_row_ = 0, in_flight_ = 0;
    bool starting_ = false;
    Clock::time_point start_;
};

}  // namespace

RunResult Pipeline::run(data::Dataset& ds, const data::View& rows, const RunOptions& options) {
    if (ds.models.size() != cfg_.models.size())
        throw std::invalid_argument("Pipeline::run: dataset has " + std::to_string(ds.models.size()) +
                                    " model columns, config has " + std::to_string(cfg_.models.size()) +
                                    " (call prepare_model_columns first)");
    Run r(*this, cfg_, keys_, prompts_, cache_.get(), ds, rows, options);
    return r.go();
}

}  // namespace automix::live
