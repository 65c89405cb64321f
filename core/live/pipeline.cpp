#include "core/live/pipeline.hpp"
#include "core/data/json_parse.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/scoring/f1.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::live {

namespace {

using Clock = std::chrono::steady_clock;

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// Multiple-choice options of a row, from an `options` array among its extra fields.
std::vector<std::string> row_options(const data::Dataset& ds, data::RowIndex r) {
    std::vector<std::string> out;
    if (r >= ds.extra_json.size()) return out;
    const std::string& extra = ds.extra_json[r];
    if (extra.find("\"options\"") == std::string::npos) return out;
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
        fit(c.answer, n, std::string());
        fit(c.has_answer, n, std::uint8_t{0});
        fit(c.score, n, data::kMissing);
        fit(c.verifier_samples, n, std::vector<std::string>());
        fit(c.verifier_confidence, n, data::kMissing);
    }
    ds.verifier_cost = cfg.verifier_cost;
}

double score_answer(const data::Dataset& ds, data::RowIndex row, const std::string& answer) {
    if (row >= ds.gold.size() || ds.gold[row].empty()) return data::kMissing;
    const std::string& gold = ds.gold[row];
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
    method_ = routing::find_method(cfg_.meta_verifier.method);
    if (!method_) {
        std::string known;
        for (const auto& n : routing::method_names()) known += (known.empty() ? "" : ", ") + n;
        throw ConfigError({cfg_.source + ": meta_verifier.method: unknown method \"" + cfg_.meta_verifier.method +
                           "\" (known: " + known + ")"});
    }
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
    probe.models[0].answer[0] = "probe";
    probe.models[0].has_answer[0] = 1;
    probe.models[0].verifier_confidence[0] = 0.5;
    probe.models[0].score[0] = 0.0;
    try {
        (void)decide(probe, 0, 0);
    } catch (const std::exception& e) {
        throw ConfigError({cfg_.source + ": meta_verifier.params: " + cfg_.meta_verifier.method +
                           " cannot use parameter " + cfg_.meta_verifier.params.dump() + ": " + e.what()});
    }
}

std::uint8_t Pipeline::decide(const data::Dataset& ds, data::RowIndex row, std::size_t step) const {
    // The routing methods judge "small vs large" on a two-model dataset; for a cascade step we
    // present model `step` as the small one and model `step + 1` as the large one.
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
    for (std::size_t j : {step, step + 1}) {
        const auto& src = ds.models[j];
        data::ModelColumns c;
        c.name = src.name;
        c.display_name = src.display_name;
        c.call_cost = src.call_cost;
        c.answer = {src.answer[row]};
        c.has_answer = {src.has_answer[row]};
        c.score = {src.score[row]};
        c.verifier_samples = {src.verifier_samples[row]};
        c.verifier_confidence = {src.verifier_confidence[row]};
        s.models.push_back(std::move(c));
    }
    const auto d = method_->route(s, data::View{0}, cfg_.meta_verifier.params, routing_cfg_);
    if (d.size() != 1)
        throw std::runtime_error("routing method returned " + std::to_string(d.size()) + " decisions for 1 row");
    return d[0];
}

namespace {

class Run {
  public:
    Run(const Pipeline& p, const ModelsConfig& cfg, const std::vector<std::string>& keys,
        const PromptTemplates& prompts, ResponseCache* cache, data::Dataset& ds, const data::View& rows,
        const RunOptions& options)
        : p_(p), cfg_(cfg), keys_(keys), prompts_(prompts), cache_(cache), ds_(ds), rows_(rows), options_(options),
          engine_(cfg.retry), state_(rows.size()) {
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
        result_.cancelled = !finished;
        for (auto& r : result_.rows)
            if (!r.done && r.error.empty()) r.error = finished ? "not finished" : "cancelled";
        result_.engine = engine_.stats();
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
    };
    struct RowState {
        std::vector<Step> steps;
        bool started = false, finished = false;
    };

    data::RowIndex row(std::size_t i) const { return rows_[i]; }

    PromptFields fields(std::size_t i) const {
        PromptFields f;
        f.context = ds_.context(row(i));
        f.question = ds_.question[row(i)];
        f.options = row_options(ds_, row(i));
        return f;
    }

    void start_more() {
        // Rows answered from the cache finish inside advance() and call back here; the outer
        // loop picks up their slots, so a long fully cached run does not recurse per row.
        if (starting_) return;
        starting_ = true;
        while (next_row_ < rows_.size() && in_flight_ < window_) {
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
        t.money = 0;
        for (const auto& u : t.per_model) t.money += u.money;
        t.eta_s = t.rows_done
                      ? t.elapsed_s / static_cast<double>(t.rows_done) * static_cast<double>(t.rows_total - t.rows_done)
                      : -1.0;
        if (options_.on_progress) options_.on_progress(t);
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
            fail(i, cfg_.meta_verifier.method + " on " + ds_.id[row(i)] + ": " + e.what());
            return false;
        }
    }

    Sampling answer_sampling(const ModelEndpoint& m) const {
        Sampling s;
        s.temperature = m.temperature;
        s.max_tokens = m.max_tokens;
        if (m.api == Api::Completions) s.stop = {"\n"};
        return s;
    }

    Sampling verify_sampling(const ModelEndpoint& m) const {
        Sampling s;
        s.temperature = cfg_.verifier.temperature;
        s.max_tokens = cfg_.verifier.max_tokens;
        if (m.api == Api::Completions) s.stop = {"\n\n"};
        return s;
    }

    std::string label(std::size_t i, std::size_t j, const char* what) const {
        return cfg_.models[j].name + " " + what + " " + ds_.id[row(i)];
    }

    void store(const std::string& key, std::size_t j, const std::string& text, std::int64_t pt, std::int64_t ct,
               double money) {
        if (!cache_) return;
        CachedCall c{key, text, cfg_.models[j].name, pt, ct, money};
        try {
            cache_->put(c);
        } catch (const std::exception& e) {
            // Losing the cache only costs a resume; stopping here would waste paid calls.
            if (result_.warnings.size() < 20) result_.warnings.push_back(e.what());
        }
    }

    void set_answer(std::size_t i, std::size_t j, const std::string& text) {
        auto& col = ds_.models[j];
        const auto r = row(i);
        col.answer[r] = text;
        col.has_answer[r] = 1;
        col.score[r] = score_answer(ds_, r, text);
        state_[i].steps[j].answer = Phase::Done;
    }

    void request_answer(std::size_t i, std::size_t j) {
        const ModelEndpoint& m = cfg_.models[j];
        const std::string prompt = render_prompt(prompts_.answer, fields(i));
        const Sampling s = answer_sampling(m);
        const std::string key =
            call_key(m.base_url, std::string(to_string(m.api)), m.model_id, prompt, sampling_identity(s), 0);
        auto& usage = result_.totals.per_model[j];
        if (cache_) {
            if (auto hit = cache_->find(key)) {
                ++usage.cached;
                set_answer(i, j, hit->text);
                advance(i);
                return;
            }
        }
        state_[i].steps[j].answer = Phase::Pending;
        HttpCall call;
        call.endpoint = endpoint_[j];
        call.url = completion_url(m.base_url, m.api);
        call.body = request_body(m.api, m.model_id, prompt, s);
        call.api_key = keys_[j];
        call.timeout_s = m.timeout_s;
        call.label = label(i, j, "answer");
        const Api api = m.api;
        call.validate = [api](const std::string& body) -> std::optional<std::string> {
            std::string why;
            if (!parse_completion(api, body, 1, &why)) return why;
            return std::nullopt;
        };
        auto on_reply = [this, i, j, key, api](const CallResult& r, bool shared) {
            auto& usage = result_.totals.per_model[j];
            if (r.status == CallResult::Status::Cancelled) return;
            if (r.status == CallResult::Status::Failed) {
                if (!shared) ++usage.failed;  // one call failed, however many rows waited on it
                state_[i].steps[j].answer = Phase::Failed;
                fail(i, label(i, j, "answer") + ": " + r.error);
                return;
            }
            const auto c = parse_completion(api, r.body, 1, nullptr);
            if (shared) {
                ++usage.cached;
            } else {
                const double money = cfg_.models[j].money(c->prompt_tokens, c->completion_tokens);
                ++usage.calls;
                usage.prompt_tokens += c->prompt_tokens;
                usage.completion_tokens += c->completion_tokens;
                usage.money += money;
                result_.rows[i].money += money;
                store(key, j, c->texts[0], c->prompt_tokens, c->completion_tokens, money);
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
        col.verifier_samples[row(i)] = s.samples;
        col.verifier_confidence[row(i)] = scoring::verifier_confidence(s.samples);
        s.verify = Phase::Done;
        advance(i);
    }

    void request_verify(std::size_t i, std::size_t j) {
        const ModelEndpoint& m = cfg_.models[j];
        const int k = cfg_.verifier.k;
        PromptFields f = fields(i);
        f.answer = trim(ds_.models[j].answer[row(i)]);
        const std::string prompt = render_prompt(prompts_.verify, f);
        const Sampling base = verify_sampling(m);
        const std::string identity = sampling_identity(base);
        const std::string api_name(to_string(m.api));
        Step& st = state_[i].steps[j];
        st.samples.assign(static_cast<std::size_t>(k), std::string());
        st.have.assign(static_cast<std::size_t>(k), 0);
        st.missing = 0;
        std::vector<std::string> keys(static_cast<std::size_t>(k));
        auto& usage = result_.totals.per_model[j];
        for (int t = 0; t < k; ++t) {
            keys[static_cast<std::size_t>(t)] = call_key(m.base_url, api_name, m.model_id, prompt, identity, t);
            if (cache_) {
                if (auto hit = cache_->find(keys[static_cast<std::size_t>(t)])) {
                    st.samples[static_cast<std::size_t>(t)] = hit->text;
                    st.have[static_cast<std::size_t>(t)] = 1;
                    ++usage.cached;
                    continue;
                }
            }
            ++st.missing;
        }
        if (st.missing == 0) {
            verified(i, j);
            return;
        }
        st.verify = Phase::Pending;
        // Missing samples as runs [first, first + count): one call with n = count when the
        // server supports n, else one call per sample. The seed is the sample index, so
        // repeated samples differ yet a resumed run asks for exactly the same ones.
        std::vector<std::pair<int, int>> runs;
        for (int t = 0; t < k; ++t) {
            if (st.have[static_cast<std::size_t>(t)]) continue;
            if (m.supports_n && !runs.empty() && runs.back().first + runs.back().second == t)
                ++runs.back().second;
            else
                runs.emplace_back(t, 1);
        }
        const std::string url = completion_url(m.base_url, m.api);
        for (const auto& [first, count] : runs) {
            Sampling s = base;
            s.n = count;
            s.seed = first;
            HttpCall call;
            call.endpoint = endpoint_[j];
            call.url = url;
            call.body = request_body(m.api, m.model_id, prompt, s);
            call.api_key = keys_[j];
            call.timeout_s = m.timeout_s;
            call.label = label(i, j, "verify") + " #" + std::to_string(first) +
                         (count > 1 ? "-" + std::to_string(first + count - 1) : "");
            const Api api = m.api;
            const int expected = count;
            call.validate = [api, expected](const std::string& body) -> std::optional<std::string> {
                std::string why;
                if (!parse_completion(api, body, expected, &why)) return why;
                return std::nullopt;
            };
            std::vector<std::string> run_keys(keys.begin() + first, keys.begin() + first + count);
            const std::string flight = run_keys.front() + "+" + std::to_string(count);
            auto on_reply = [this, i, j, first = first, count = count, run_keys, api](const CallResult& r,
                                                                                      bool shared) {
                auto& usage = result_.totals.per_model[j];
                if (r.status == CallResult::Status::Cancelled) return;
                if (r.status == CallResult::Status::Failed) {
                    if (!shared) ++usage.failed;
                    state_[i].steps[j].verify = Phase::Failed;
                    fail(i, label(i, j, "verify") + ": " + r.error);
                    return;
                }
                const auto c = parse_completion(api, r.body, count, nullptr);
                const double money = shared ? 0.0 : cfg_.models[j].money(c->prompt_tokens, c->completion_tokens);
                if (shared) {
                    usage.cached += static_cast<std::size_t>(count);
                } else {
                    ++usage.calls;
                    usage.prompt_tokens += c->prompt_tokens;
                    usage.completion_tokens += c->completion_tokens;
                    usage.money += money;
                    result_.rows[i].money += money;
                }
                Step& st = state_[i].steps[j];
                for (int t = 0; t < count; ++t) {
                    // The whole call's usage goes on its first sample, so sums stay exact.
                    if (!shared)
                        store(run_keys[static_cast<std::size_t>(t)], j, c->texts[static_cast<std::size_t>(t)],
                              t == 0 ? c->prompt_tokens : 0, t == 0 ? c->completion_tokens : 0, t == 0 ? money : 0.0);
                    const auto idx = static_cast<std::size_t>(first + t);
                    if (!st.have.empty() && !st.have[idx]) {
                        st.samples[idx] = c->texts[static_cast<std::size_t>(t)];
                        st.have[idx] = 1;
                        --st.missing;
                    }
                }
                if (state_[i].finished) return;
                if (st.missing == 0) verified(i, j);
                report();
            };
            submit_once(flight, std::move(call), std::move(on_reply));
        }
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
    CallEngine engine_;
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
