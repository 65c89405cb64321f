#include "core/live/chat_router.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <thread>

#include "core/data/json_parse.hpp"
#include "core/live/live_io.hpp"
#include "core/routing/bins.hpp"
#include "core/routing/method.hpp"

namespace automix::live {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double round_to(double x, double unit) {
    return std::round(x / unit) * unit;
}

std::string number_text(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6g", x);
    return b;
}

std::string iso_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char b[32];
    std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return b;
}

// Compared in constant time, so response timing says nothing about the token.
bool token_matches(const std::string& given, const std::string& want) {
    return given.size() == want.size() && CRYPTO_memcmp(given.data(), want.data(), want.size()) == 0;
}

ApiError api_error(int status, std::string message, std::string type, std::string code, std::string param = "") {
    ApiError e;
    e.status = status;
    e.message = std::move(message);
    e.type = std::move(type);
    e.code = std::move(code);
    e.param = std::move(param);
    return e;
}

// A question for the access log: one line, bounded.
std::string log_snippet(const std::string& text) {
    std::string s = body_snippet(text, 120);
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return s;
}

// A stable draw in [0, 1) from a text, so a request's split follows from its id: FNV-1a, then
// a 64-bit finaliser (ids differ only in their last digits, which FNV leaves in the low bits).
double unit_hash(const std::string& text) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

// What the train rows at this confidence were, from the config's belief table (written by
// `automix eval/calibrate --emit-config` for two-model methods); null when there is none.
json belief_at(const MetaVerifierConfig& mv, double confidence) {
    if (!mv.belief.is_object() || !std::isfinite(confidence)) return nullptr;
    // A table for other bins (the Live tab can change num_bins of a loaded config) says nothing.
    const json& bins = mv.belief["bins"];
    const int bin = routing::Bins(mv.num_bins).nearest(confidence);
    if (bin < 0 || bins.size() != static_cast<std::size_t>(mv.num_bins) + 1) return nullptr;
    const json& entry = bins[static_cast<std::size_t>(bin)];
    json states = json::object();
    for (std::size_t s = 0; s < mv.belief["states"].size(); ++s)
        states[mv.belief["states"][s].get<std::string>()] = entry["p"][s];
    return {{"bin", bin}, {"train_rows", entry["rows"]}, {"states", states}};
}

// The N-model cascade's belief after each verified step, from the config's cascade belief
// model: the prior updated with P(bin | state) of every step's confidence bin (Bayes, as the
// Cascade method's trace). One entry per confidence given; null entries once a bin is unknown.
std::vector<json> cascade_beliefs(const MetaVerifierConfig& mv, const std::vector<double>& confidences) {
    std::vector<json> out(confidences.size(), nullptr);
    const json& t = mv.cascade_belief;
    if (!t.is_object()) return out;
    const auto S = t["states"].size();
    std::vector<double> b;
    for (const auto& p : t["prior"]) b.push_back(p.get<double>());
    const routing::Bins bins(mv.num_bins);
    for (std::size_t j = 0; j < confidences.size() && j < t["steps"].size(); ++j) {
        const json& table = t["steps"][j]["bins"];
        const int bin = std::isfinite(confidences[j]) ? bins.nearest(confidences[j]) : -1;
        // A table for other bins (the Live tab can change num_bins of a loaded config) says nothing.
        if (bin < 0 || table.size() != static_cast<std::size_t>(mv.num_bins) + 1) break;
        double z = 0;
        for (std::size_t s = 0; s < S; ++s) z += b[s] * table[static_cast<std::size_t>(bin)][s].get<double>();
        if (!(z > 0)) break;
        json states = json::object();
        for (std::size_t s = 0; s < S; ++s) {
            b[s] = b[s] * table[static_cast<std::size_t>(bin)][s].get<double>() / z;
            states[t["states"][s].get<std::string>()] = b[s];
        }
        out[j] = {{"bin", bin}, {"train_rows", t.value("train_rows", 0)}, {"states", states}};
    }
    return out;
}

}  // namespace

// Sets the cancel flag of each request whose deadline passed (one thread for all requests).
class ChatRouter::Deadlines {
  public:
    Deadlines() : thread_([this] { loop(); }) {}
    ~Deadlines() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    std::uint64_t add(Clock::time_point at, std::atomic<bool>* flag) {
        std::lock_guard lock(mutex_);
        const std::uint64_t id = ++next_;
        pending_.emplace(id, Entry{at, flag});
        wake_.notify_all();
        return id;
    }
    void remove(std::uint64_t id) {
        std::lock_guard lock(mutex_);
        pending_.erase(id);
    }

  private:
    struct Entry {
        Clock::time_point at;
        std::atomic<bool>* flag;
    };
    void loop() {
        std::unique_lock lock(mutex_);
        while (!stop_) {
            auto next = Clock::now() + std::chrono::seconds(1);
            const auto now = Clock::now();
            for (auto it = pending_.begin(); it != pending_.end();) {
                if (it->second.at <= now) {
                    it->second.flag->store(true);
                    it = pending_.erase(it);
                } else {
                    next = std::min(next, it->second.at);
                    ++it;
                }
            }
            wake_.wait_until(lock, next);
        }
    }
    std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::uint64_t, Entry> pending_;
    std::uint64_t next_ = 0;
    bool stop_ = false;
    std::thread thread_;
};

struct ChatRouter::Routing {
    std::string name;  // "Threshold:0.375"
    ModelsConfig cfg;
    bool two_model = true;                  // decides between first and last model, as the belief table sees it
    std::shared_ptr<Pipeline> routed, all;  // `all` built when first sampled
};

// What one request did, for the access log and the stats.
struct ChatRouter::Outcome {
    std::string model, routing, path, error, question;
    double cost = 0, money = 0, upstream_ms = 0;
    bool run_all = false, upstream_failed = false, client_error = false, refused = false, timeout = false;
};

ChatRouter::ChatRouter(ModelsConfig cfg, std::vector<std::string> api_keys, PromptTemplates prompts,
                       std::shared_ptr<ResponseCache> cache, ServeOptions options)
    : cfg_(std::move(cfg)), keys_(std::move(api_keys)), prompts_(std::move(prompts)), cache_(std::move(cache)),
      options_(std::move(options)), deadlines_(std::make_unique<Deadlines>()), rng_(options_.seed) {
    // Request ids stay unique across restarts that append to the same log.
    id_prefix_ = "serve-" +
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count()) +
                 "-";
    auto r = std::make_shared<Routing>();
    r->cfg = cfg_;
    r->cfg.run_all_models = false;
    const auto method = routing::find_method(cfg_.meta_verifier.method);
    r->name = (method ? method->name() : cfg_.meta_verifier.method) + ":" + cfg_.meta_verifier.params.dump();
    r->two_model = !method || !method->uses_all_models();
    r->routed = std::make_shared<Pipeline>(r->cfg, keys_, prompts_, cache_);  // throws ConfigError
    default_ = r;
    routings_[r->name] = r;
}

ChatRouter::~ChatRouter() = default;

std::string ChatRouter::default_routing() const {
    return default_->name;
}

std::vector<std::string> ChatRouter::model_names() const {
    const std::string method = default_->name.substr(0, default_->name.find(':'));
    return {"automix", "automix:" + method, "automix:" + default_->name};
}

ServeStats ChatRouter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

HttpReply ChatRouter::models_reply() const {
    json data = json::array();
    for (const auto& name : model_names())
        data.push_back({{"id", name}, {"object", "model"}, {"created", 0}, {"owned_by", "automix"}});
    HttpReply r;
    r.body = json{{"object", "list"}, {"data", data}}.dump();
    return r;
}

std::shared_ptr<ChatRouter::Routing> ChatRouter::routing_for(const std::string& model, ApiError* error) {
    const auto unknown = [&](const std::string& why) {
        *error = api_error(404, "The model `" + model + "` does not exist: " + why, "invalid_request_error",
                           "model_not_found", "model");
        return nullptr;
    };
    if (model == "automix") return default_;
    if (model.rfind("automix:", 0) != 0)
        return unknown("this server routes with AutoMix; use \"automix\", \"automix:METHOD\" or "
                       "\"automix:METHOD:PARAMS\" (e.g. automix:" +
                       default_->name + ")");
    const std::string rest = model.substr(8);
    const auto colon = rest.find(':');
    const auto method = routing::find_method(rest.substr(0, colon));
    if (!method) return unknown("no routing method \"" + rest.substr(0, colon) + "\"");
    const std::string default_method = default_->name.substr(0, default_->name.find(':'));
    if (colon == std::string::npos) {
        if (method->name() == default_method) return default_;
        return unknown("the config routes with " + default_method + "; name " + method->name() +
                       "'s parameter as automix:" + method->name() + ":PARAMS (JSON, as `automix eval` reports it)");
    }
    json params;
    try {
        params = data::json::parse_limited(rest.substr(colon + 1));
    } catch (const std::exception&) {
        *error = api_error(400,
                           "model `" + model + "`: the parameter after \"" + method->name() +
                               ":\" is not JSON (e.g. automix:Threshold:0.375)",
                           "invalid_request_error", "invalid_model_parameter", "model");
        return nullptr;
    }
    const std::string name = method->name() + ":" + params.dump();
    {
        std::lock_guard lock(mutex_);
        if (auto it = routings_.find(name); it != routings_.end()) return it->second;
    }
    auto r = std::make_shared<Routing>();
    r->name = name;
    r->cfg = cfg_;
    r->cfg.run_all_models = false;
    r->cfg.meta_verifier.method = method->name();
    r->cfg.meta_verifier.params = params;
    r->two_model = !method->uses_all_models();
    try {
        r->routed = std::make_shared<Pipeline>(r->cfg, keys_, prompts_, cache_);
    } catch (const ConfigError& e) {
        std::string why;
        for (const auto& p : e.problems) why += (why.empty() ? "" : "; ") + p;
        *error = api_error(400, "model `" + model + "` cannot route: " + why, "invalid_request_error",
                           "invalid_model_parameter", "model");
        return nullptr;
    }
    std::lock_guard lock(mutex_);
    // Bounded: a client inventing parameters must not grow the server without end.
    if (routings_.size() < 256) routings_.emplace(name, r);
    return r;
}

std::shared_ptr<Pipeline> ChatRouter::pipeline_of(Routing& r, bool run_all) {
    if (!run_all) return r.routed;
    std::lock_guard lock(mutex_);
    if (!r.all) {
        ModelsConfig c = r.cfg;
        c.run_all_models = true;
        r.all = std::make_shared<Pipeline>(c, keys_, prompts_, cache_);
    }
    return r.all;
}

bool ChatRouter::acquire_slot(Clock::time_point deadline) {
    std::unique_lock lock(slot_mutex_);
    if (!slot_free_.wait_until(lock, deadline, [this] { return active_ < options_.max_concurrent; })) return false;
    ++active_;
    return true;
}

void ChatRouter::release_slot() {
    {
        std::lock_guard lock(slot_mutex_);
        --active_;
    }
    slot_free_.notify_one();
}

std::string ChatRouter::breaker_refusal(double* retry_after_s) {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    if (now >= open_until_) return {};
    *retry_after_s = std::chrono::duration<double>(open_until_ - now).count();
    return "AutoMix stopped calling the upstream models after " + std::to_string(failure_streak_) +
           " requests in a row failed upstream (last: " + last_failure_ + "); retry in " +
           std::to_string(static_cast<int>(std::ceil(*retry_after_s))) + " s";
}

void ChatRouter::breaker_result(bool upstream_failed, const std::string& reason) {
    std::lock_guard lock(mutex_);
    if (!upstream_failed) {
        failure_streak_ = 0;
        return;
    }
    ++failure_streak_;
    last_failure_ = reason;
    const int threshold = cfg_.retry.breaker_threshold;
    if (threshold > 0 && failure_streak_ >= threshold)
        open_until_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(options_.breaker_cooldown_s));
}

bool ChatRouter::draw_run_all() {
    if (options_.run_all_fraction <= 0) return false;
    if (options_.run_all_fraction >= 1) return true;
    std::lock_guard lock(mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < options_.run_all_fraction;
}

HttpReply ChatRouter::handle(const HttpRequest& req) {
    const auto t0 = Clock::now();
    const std::string request_id = id_prefix_ + std::to_string(next_id_++);
    Outcome out;
    HttpReply reply;
    const bool chat_path = req.path == "/v1/chat/completions" || req.path == "/chat/completions";
    const bool models_path = req.path == "/v1/models" || req.path == "/models";
    if (!options_.required_token.empty()) {
        const std::string auth = req.header("authorization");
        const bool ok = auth.rfind("Bearer ", 0) == 0 && token_matches(auth.substr(7), options_.required_token);
        if (!ok) {
            reply = error_reply(api_error(401,
                                          auth.empty() ? "You didn't provide an API key (Authorization: Bearer ...)."
                                                       : "Incorrect API key provided.",
                                          "invalid_request_error", "invalid_api_key"));
            out.client_error = true;
            out.error = "unauthorized";
        }
    }
    if (!out.client_error) {
        if (models_path && req.method == "GET") {
            reply = models_reply();
        } else if (chat_path && req.method == "POST") {
            reply = chat(req, request_id, out);
        } else if (chat_path || models_path) {
            reply = error_reply(api_error(405, "Method " + req.method + " is not allowed on " + req.path,
                                          "invalid_request_error", "method_not_allowed"));
            out.client_error = true;
        } else {
            reply = error_reply(api_error(404,
                                          "Unknown request URL: " + req.method + " " + req.path +
                                              " (this server has /v1/chat/completions and /v1/models)",
                                          "invalid_request_error", "unknown_url"));
            out.client_error = true;
        }
    }
    reply.headers.emplace_back("X-Request-Id", request_id);
    {
        std::lock_guard lock(mutex_);
        ++stats_.requests;
        if (reply.status == 200) ++stats_.answered;
        if (out.client_error) ++stats_.client_errors;
        if (out.upstream_failed) ++stats_.upstream_errors;
        if (out.timeout) ++stats_.timeouts;
        if (out.refused) ++stats_.refused;
        if (out.run_all && reply.status == 200) ++stats_.run_all;
    }
    if (options_.access_log) {
        // Client-given text (path, model name) goes in as one bounded line of printable bytes.
        char status[48];
        std::snprintf(status, sizeof status, " %d %.1f ms", reply.status, ms_since(t0));
        std::string line = iso_now() + " " + request_id + " " + log_snippet(req.path) + status;
        if (!out.model.empty()) line += " model=" + log_snippet(out.model);
        if (!out.routing.empty()) line += " routing=" + log_snippet(out.routing);
        if (!out.path.empty()) {
            char b[96];
            std::snprintf(b, sizeof b, " cost=%s money=$%.6f upstream=%.1fms", number_text(out.cost).c_str(), out.money,
                          out.upstream_ms);
            line += " path=" + out.path + b;
        }
        if (out.run_all) line += " run_all_models";
        if (!out.error.empty()) line += " error=\"" + log_snippet(out.error) + "\"";
        if (options_.log_prompts && !out.question.empty()) line += " question=\"" + log_snippet(out.question) + "\"";
        options_.access_log(line);
    }
    return reply;
}

HttpReply ChatRouter::chat(const HttpRequest& req, const std::string& request_id, Outcome& out) {
    const auto t0 = Clock::now();
    const auto deadline =
        t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.request_timeout_s));
    ApiError err;
    const auto request = parse_chat_request(req.body, &err);
    if (!request) {
        out.client_error = true;
        out.error = err.message;
        return error_reply(err);
    }
    out.model = request->model;
    out.question = request->question;
    const auto routing = routing_for(request->model, &err);
    if (!routing) {
        out.client_error = true;
        out.error = err.message;
        return error_reply(err);
    }
    out.routing = routing->name;
    double retry_after = 0;
    if (const std::string why = breaker_refusal(&retry_after); !why.empty()) {
        out.refused = true;
        out.error = why;
        HttpReply r = error_reply(api_error(503, why, "upstream_error", "circuit_open"));
        r.headers.emplace_back("Retry-After", std::to_string(static_cast<int>(std::ceil(retry_after))));
        return r;
    }
    const double queue_s = options_.queue_timeout_s > 0 ? std::min(options_.queue_timeout_s, options_.request_timeout_s)
                                                        : options_.request_timeout_s;
    if (!acquire_slot(t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(queue_s)))) {
        out.refused = true;
        out.error = "busy";
        HttpReply busy = error_reply(api_error(503,
                                               "AutoMix is busy: " + std::to_string(options_.max_concurrent) +
                                                   " requests are being routed and this one waited " +
                                                   number_text(queue_s) + " s for a slot",
                                               "server_error", "overloaded"));
        busy.headers.emplace_back("Retry-After", "1");
        return busy;
    }
    struct SlotGuard {
        ChatRouter* r;
        ~SlotGuard() { r->release_slot(); }
    } slot{this};

    out.run_all = draw_run_all();
    const auto pipeline = pipeline_of(*routing, out.run_all);
    LiveInput in = live_input_from_question(request_id, request->context, request->question, request->gold);
    in.native = true;
    in.records[0]["dataset"] = request->dataset.empty() ? std::string("live") : request->dataset;
    // The native format needs a split: production rows are neither train nor val until
    // labelled; labelled ones are train, a share of them (drawn by request id) val.
    const char* split = "served";
    if (!request->gold.empty()) split = unit_hash(request_id) < options_.labelled_val_share ? "val" : "train";
    in.records[0]["split"] = split;
    prepare_model_columns(in.dataset, routing->cfg);

    std::atomic<bool> cancel{false};
    const std::uint64_t watch = deadlines_->add(deadline, &cancel);
    // One engine per server thread: its connections to the models stay open between the
    // requests of that thread (no connect or TLS handshake per call).
    thread_local std::unique_ptr<CallEngine> engine;
    if (!engine) engine = std::make_unique<CallEngine>(routing->cfg.retry);
    RunOptions run_options;
    run_options.cancel = &cancel;
    run_options.engine = engine.get();
    const long long created = static_cast<long long>(std::time(nullptr));
    const std::string completion_id = "chatcmpl-" + request_id;
    // Streaming: the final model's answer goes to the client as the model writes it. The
    // stream opens when that model has begun to answer, so everything before (a route that
    // fails, a busy server) still gets its proper status.
    ReplyStream* stream = nullptr;
    std::string stream_model;
    if (request->stream && req.open_stream) {
        run_options.stream_begin = [&](std::size_t, std::size_t j) {
            const auto& m = routing->cfg.models[j];
            stream_model = m.model_id;
            HttpReply head;
            head.content_type = "text/event-stream";
            std::string path, decisions, confidences;
            double cost = 0;
            for (std::size_t k = 0; k <= j; ++k) {
                path += (k ? ">" : "") + routing->cfg.models[k].name;
                cost += routing->cfg.models[k].call_cost + (k < j ? routing->cfg.verifier_cost : 0.0);
                if (k == j) break;
                const double c = in.dataset.models[k].verifier_confidence[0];
                confidences += (k ? "," : "") + (std::isfinite(c) ? number_text(c) : std::string("null"));
                decisions += (k ? "," : "") + std::string("escalate");
            }
            head.headers = {{"Cache-Control", "no-cache"},
                            {"X-Request-Id", request_id},
                            {"X-AutoMix-Routing", routing->name},
                            {"X-AutoMix-Path", path},
                            {"X-AutoMix-Model", m.name},
                            {"X-AutoMix-Decisions", decisions},
                            {"X-AutoMix-Confidence", confidences},
                            {"X-AutoMix-Cost", number_text(cost)},
                            {"X-AutoMix-Streamed", "1"}};
            stream = req.open_stream(head);
            if (!stream->write(stream_role_event(completion_id, created, stream_model))) cancel = true;
        };
        run_options.stream_piece = [&](std::size_t, const std::string& text) {
            // A client that went away ends the route: the upstream call is abandoned.
            if (stream && !stream->write(stream_content_event(completion_id, created, stream_model, text)))
                cancel = true;
        };
    }
    RunResult result;
    try {
        result = pipeline->run(in.dataset, data::View{0}, run_options);
    } catch (...) {
        engine.reset();  // it may hold calls of the failed run: the next request gets a new one
        deadlines_->remove(watch);
        throw;
    }
    deadlines_->remove(watch);
    RowOutcome& row = result.rows.at(0);
    const bool client_gone = stream && result.cancelled && !stream->write("");
    if (client_gone)
        row.error = "the client closed the stream";
    else if (result.cancelled && row.error == "cancelled")
        row.error =
            "the route did not finish within the request timeout of " + number_text(options_.request_timeout_s) + " s";

    // Per model: upstream time on the critical path (the answer, then the slowest of its
    // verification calls, which run side by side), calls, money, tokens.
    const std::size_t n = routing->cfg.models.size();
    std::vector<double> answer_ms(n, 0.0), verify_ms(n, 0.0);
    std::vector<int> calls(n, 0), cached(n, 0);
    for (const auto& c : row.calls) {
        const auto j = static_cast<std::size_t>(c.model);
        if (c.cached) {
            ++cached[j];
            continue;
        }
        ++calls[j];
        (c.kind == "answer" ? answer_ms[j] : verify_ms[j]) =
            std::max(c.kind == "answer" ? answer_ms[j] : verify_ms[j], c.latency_s * 1000.0);
    }
    double upstream_ms = 0;
    json steps = json::array();
    json belief = nullptr;  // of the first model's decision (two-model) or the last decision (cascade)
    const int last = row.done ? row.final_model : static_cast<int>(row.escalated.size());
    std::vector<json> ladder_beliefs;
    if (!routing->two_model) {
        std::vector<double> confidences;
        for (std::size_t j = 0; j < row.escalated.size(); ++j)
            confidences.push_back(in.dataset.models[j].verifier_confidence[0]);
        ladder_beliefs = cascade_beliefs(routing->cfg.meta_verifier, confidences);
    }
    std::string path;
    for (std::size_t j = 0; j < n; ++j) {
        const bool on_path = static_cast<int>(j) <= last;
        if (!on_path && !out.run_all) break;
        const auto& col = in.dataset.models[j];
        json step = {{"model", routing->cfg.models[j].name}, {"on_path", on_path}};
        if (col.has_answer[0]) step["answer"] = col.answer[0];
        const double conf = col.verifier_confidence[0];
        step["confidence"] = std::isfinite(conf) ? json(conf) : json(nullptr);
        if (j < row.escalated.size()) {
            step["decision"] = row.escalated[j] ? "escalate" : "answer";
            if (routing->two_model && j == 0) {
                belief = belief_at(routing->cfg.meta_verifier, conf);
                step["belief"] = belief;
            } else if (!routing->two_model) {
                step["belief"] = ladder_beliefs[j];
                if (!ladder_beliefs[j].is_null()) belief = ladder_beliefs[j];
            }
            try {
                step["reason"] = pipeline->explain(in.dataset, 0, j);
            } catch (const std::exception& e) {
                step["reason"] = std::string("(no explanation: ") + e.what() + ")";
            }
        } else if (row.done && static_cast<int>(j) == row.final_model) {
            step["decision"] = j + 1 == n ? "last model" : "answer";
        }
        const auto& u = result.totals.per_model[j];
        step["latency_ms"] = round_to(answer_ms[j] + verify_ms[j], 0.01);
        step["calls"] = calls[j];
        if (cached[j]) step["cached"] = cached[j];
        step["money"] = u.money + u.cached_money;
        step["tokens"] = {{"prompt", u.prompt_tokens}, {"completion", u.completion_tokens}};
        if (on_path) {
            upstream_ms += answer_ms[j] + verify_ms[j];
            path += (path.empty() ? "" : ">") + routing->cfg.models[j].name;
        }
        steps.push_back(std::move(step));
    }
    if (out.run_all)  // every model ran side by side: the slowest chain is what the client waited for
        upstream_ms = std::max(upstream_ms, [&] {
            double m = 0;
            for (std::size_t j = 0; j < n; ++j) m = std::max(m, answer_ms[j] + verify_ms[j]);
            return m;
        }());
    const double total_ms = ms_since(t0);
    std::int64_t prompt_tokens = 0, completion_tokens = 0;
    for (const auto& u : result.totals.per_model) {
        prompt_tokens += u.prompt_tokens;
        completion_tokens += u.completion_tokens;
    }
    json automix = {{"request_id", request_id},
                    {"routing", routing->name},
                    {"path", json::array()},
                    {"steps", steps},
                    {"belief", belief},
                    {"cost_units", row.cost_units},
                    {"money", row.money},
                    {"latency_ms",
                     {{"total", round_to(total_ms, 0.01)},
                      {"upstream", round_to(upstream_ms, 0.01)},
                      {"router", round_to(std::max(0.0, total_ms - upstream_ms), 0.01)}}},
                    {"run_all_models", out.run_all}};
    for (int j = 0; j <= last && j < static_cast<int>(n); ++j)
        automix["path"].push_back(routing->cfg.models[static_cast<std::size_t>(j)].name);
    if (row.money_estimated) automix["money_estimated"] = true;
    out.path = path;
    out.cost = row.cost_units;
    out.money = row.money;
    out.upstream_ms = upstream_ms;

    HttpReply reply;
    if (row.done) {
        const auto& final = routing->cfg.models[static_cast<std::size_t>(row.final_model)];
        automix["final_model"] = final.name;
        const json usage = {{"prompt_tokens", prompt_tokens},
                            {"completion_tokens", completion_tokens},
                            {"total_tokens", prompt_tokens + completion_tokens}};
        const std::string& id = completion_id;
        const std::string content(in.dataset.models[static_cast<std::size_t>(row.final_model)].answer[0]);
        if (stream) {
            automix["streamed"] = true;
            reply.content_type = "text/event-stream";
            reply.body = stream_end_events(id, created, final.model_id, usage, automix, request->include_usage_in_stream);
        } else if (request->stream) {
            reply.content_type = "text/event-stream";
            reply.body = completion_stream(id, created, final.model_id, content, usage, automix,
                                           request->include_usage_in_stream);
            reply.headers.emplace_back("Cache-Control", "no-cache");
        } else {
            reply.body = completion_object(id, created, final.model_id, content, usage, automix)
                             .dump(-1, ' ', false, json::error_handler_t::replace);
        }
        std::string confidences, decisions;
        for (std::size_t j = 0; j < row.escalated.size(); ++j) {
            const double c = in.dataset.models[j].verifier_confidence[0];
            confidences += (j ? "," : "") + (std::isfinite(c) ? number_text(c) : std::string("null"));
            decisions += (j ? "," : "") + std::string(row.escalated[j] ? "escalate" : "answer");
        }
        char money[32];
        std::snprintf(money, sizeof money, "%.6f", row.money);
        reply.headers.insert(reply.headers.end(), {{"X-AutoMix-Routing", routing->name},
                                                   {"X-AutoMix-Path", path},
                                                   {"X-AutoMix-Model", final.name},
                                                   {"X-AutoMix-Decisions", decisions},
                                                   {"X-AutoMix-Confidence", confidences},
                                                   {"X-AutoMix-Cost", number_text(row.cost_units)},
                                                   {"X-AutoMix-Money", money},
                                                   {"X-AutoMix-Latency-Ms", number_text(round_to(total_ms, 0.01))}});
        if (out.run_all) reply.headers.emplace_back("X-AutoMix-Run-All-Models", "1");
        breaker_result(false, "");
    } else {
        // Our own deadline, or an upstream call that timed out: 504; any other upstream failure: 502.
        const bool timed_out = !client_gone && (result.cancelled || row.error.find("timed out") != std::string::npos);
        out.upstream_failed = !client_gone;
        out.client_error = client_gone;
        out.timeout = timed_out;
        out.error = row.error.empty() ? std::string("upstream failed") : row.error;
        ApiError e = api_error(timed_out ? 504 : 502, "upstream: " + out.error, "upstream_error",
                               timed_out ? "upstream_timeout" : "upstream_error");
        reply = error_reply(e);
        if (stream) {
            // The client already has status 200 and part of the answer: the stream ends with an
            // error event instead (the status here is for the access log and stats).
            reply.content_type = "text/event-stream";
            reply.body = stream_error_events(e, automix);
        } else {
            json body = json::parse(reply.body);
            body["error"]["automix"] = automix;
            reply.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
        }
        if (!client_gone) breaker_result(true, out.error);
    }
    if (options_.request_log) {
        json rec = output_record(in, 0, row, routing->cfg);
        rec["serve"] = {{"request_id", request_id},
                        {"time", iso_now()},
                        {"model", request->model},
                        {"routing", routing->name},
                        {"status", reply.status},
                        {"stream", request->stream},
                        {"run_all_models", out.run_all},
                        {"latency_ms", automix["latency_ms"]},
                        {"labelled", !request->gold.empty()}};
        if (!belief.is_null()) rec["serve"]["belief"] = belief;
        try {
            options_.request_log->append(rec);
        } catch (const std::exception& e) {
            // The client still gets its answer; the operator sees the failure in the access log.
            out.error = std::string("request log: ") + e.what();
        }
    }
    return reply;
}

}  // namespace automix::live
