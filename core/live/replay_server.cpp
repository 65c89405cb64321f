#include "core/live/replay_server.hpp"
#include "core/data/json_parse.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/io/sha256.hpp"
#include "core/live/prompts.hpp"

namespace automix::live {

using nlohmann::json;

namespace {

HttpReply error_reply(int status, const std::string& message, const std::string& type) {
    HttpReply r;
    r.status = status;
    r.body = json{{"error", {{"message", message}, {"type", type}}}}.dump();
    return r;
}

std::int64_t token_estimate(const std::string& s) {
    return static_cast<std::int64_t>((s.size() + 3) / 4);
}

constexpr const char* kQuestionMarker = "Question: ";
constexpr const char* kAnswerMarker = "AI Generated Answer:";

}  // namespace

const char* to_string(Fault f) {
    switch (f) {
    case Fault::None: return "none";
    case Fault::TooManyRequests: return "429";
    case Fault::ServerError: return "500";
    case Fault::Slow: return "slow";
    case Fault::Malformed: return "malformed";
    case Fault::CutConnection: return "close";
    case Fault::Unauthorized: return "401";
    }
    return "none";
}

Fault parse_fault(const std::string& name) {
    for (Fault f : {Fault::TooManyRequests, Fault::ServerError, Fault::Slow, Fault::Malformed, Fault::CutConnection,
                    Fault::Unauthorized})
        if (name == to_string(f)) return f;
    return Fault::None;
}

ReplayServer::ReplayServer(std::shared_ptr<const data::Dataset> data, ReplayOptions options)
    : data_(std::move(data)), options_(std::move(options)), http_([this](const HttpRequest& r) { return handle(r); }),
      rng_(options_.seed) {
    for (std::size_t r = 0; r < data_->size(); ++r) {
        const std::string q = trim_prompt_text(data_->question[r]);
        if (!q.empty()) rows_by_question_[q].push_back(static_cast<int>(r));
    }
}

ReplayServer::~ReplayServer() {
    stop();
}

int ReplayServer::start(int port) {
    return http_.start(port);
}
void ReplayServer::stop() {
    http_.stop();
}
std::string ReplayServer::base_url() const {
    return "http://127.0.0.1:" + std::to_string(http_.port()) + "/v1";
}

void ReplayServer::script_faults(std::vector<Fault> faults) {
    std::lock_guard lock(mutex_);
    scripted_.insert(scripted_.end(), faults.begin(), faults.end());
}

std::vector<ReplayLogEntry> ReplayServer::log() const {
    std::lock_guard lock(mutex_);
    return log_;
}

std::size_t ReplayServer::request_count() const {
    std::lock_guard lock(mutex_);
    return log_.size();
}

void ReplayServer::clear_log() {
    std::lock_guard lock(mutex_);
    log_.clear();
}

int ReplayServer::model_index(const std::string& model) const {
    for (std::size_t i = 0; i < data_->models.size(); ++i)
        if (data_->models[i].name == model || data_->models[i].display_name == model) return static_cast<int>(i);
    // Positional aliases, so a config does not have to know the file's column names.
    if (model == "small") return 0;
    if (model == "large") return static_cast<int>(data_->models.size()) - 1;
    if (model.size() > 1 && model[0] == 'm' && std::all_of(model.begin() + 1, model.end(), ::isdigit)) {
        const auto i = std::stoul(model.substr(1));
        if (i < data_->models.size()) return static_cast<int>(i);
    }
    return -1;
}

int ReplayServer::find_row(const std::string& prompt, std::string* answer_in_prompt, bool* verification) const {
    // The target query is the last one in the prompt (few-shot examples come before it).
    const auto qpos = prompt.rfind(kQuestionMarker);
    if (qpos == std::string::npos) return -1;
    const std::string rest = prompt.substr(qpos + std::char_traits<char>::length(kQuestionMarker));
    const auto apos = rest.find(kAnswerMarker);
    *verification = apos != std::string::npos;
    if (*verification) {
        std::string a = rest.substr(apos + std::char_traits<char>::length(kAnswerMarker));
        const auto end = a.find("\n\nInstruction");
        *answer_in_prompt = trim_prompt_text(end == std::string::npos ? a.substr(0, a.find('\n')) : a.substr(0, end));
    }
    // The question may span lines: try every line end as its end, shortest first.
    const std::vector<int>* rows = nullptr;
    for (std::size_t end = rest.find('\n'); rows == nullptr; end = rest.find('\n', end + 1)) {
        auto it = rows_by_question_.find(trim_prompt_text(rest.substr(0, end)));
        if (it != rows_by_question_.end()) rows = &it->second;
        if (end == std::string::npos) break;
    }
    if (!rows) return -1;
    if (rows->size() == 1) return rows->front();
    // Same question in several rows: prefer the one whose context (and answer) the prompt holds.
    int best = rows->front(), best_score = -1;
    for (int r : *rows) {
        int score = 0;
        const std::string ctx = data_->context(static_cast<data::RowIndex>(r));
        if (!ctx.empty() && prompt.find(ctx) != std::string::npos) score += 2;
        if (*verification && !data_->models.empty() && trim_prompt_text(data_->models[0].answer[r]) == *answer_in_prompt)
            score += 1;
        if (score > best_score) {
            best = r;
            best_score = score;
        }
    }
    return best;
}

HttpReply ReplayServer::handle(const HttpRequest& req) {
    if (req.method == "GET" && (req.path == "/v1/models" || req.path == "/models")) {
        // Like OpenAI, the model list needs the key too (so a preflight finds a wrong one).
        if (!options_.required_key.empty() && req.header("authorization") != "Bearer " + options_.required_key)
            return error_reply(401, "Incorrect API key provided. Check the key of this endpoint.", "invalid_api_key");
        json list = json::array();
        for (const auto& m : data_->models)
            list.push_back({{"id", m.name}, {"object", "model"}, {"owned_by", "replay"}});
        // The aliases the completion routes accept, so a preflight of a config that uses
        // them finds its model listed.
        std::vector<std::string> aliases = {"small", "large"};
        for (std::size_t i = 0; i < data_->models.size(); ++i) aliases.push_back("m" + std::to_string(i));
        for (const auto& a : aliases) list.push_back({{"id", a}, {"object", "model"}, {"owned_by", "replay alias"}});
        HttpReply r;
        r.body = json{{"object", "list"}, {"data", list}}.dump();
        return r;
    }
    if (req.method == "GET" && req.path == "/replay/stats") {
        // Lets scripts and CLI tests check how many calls a run really made.
        std::lock_guard lock(mutex_);
        std::size_t ok = 0;
        for (const auto& e : log_) ok += e.status == 200;
        HttpReply r;
        r.body = json{{"requests", log_.size()}, {"ok", ok}}.dump();
        return r;
    }
    if (req.method == "GET" && req.path == "/health") {
        HttpReply r;
        r.body = R"({"status":"ok"})";
        return r;
    }
    auto ends_with = [&](const std::string& suffix) {
        return req.path.size() >= suffix.size() &&
               req.path.compare(req.path.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (req.method == "POST" && ends_with("/chat/completions")) return complete(req, true);
    if (req.method == "POST" && ends_with("/completions")) return complete(req, false);
    return error_reply(404, "no route for " + req.method + " " + req.path, "invalid_request_error");
}

HttpReply ReplayServer::complete(const HttpRequest& req, bool chat) {
    ReplayLogEntry entry;
    entry.body_sha256 = io::sha256_hex(req.body);
    auto finish = [&](HttpReply r) {
        entry.status = r.status;
        std::lock_guard lock(mutex_);
        log_.push_back(entry);
        return r;
    };
    if (!options_.required_key.empty() && req.header("authorization") != "Bearer " + options_.required_key)
        return finish(
            error_reply(401, "Incorrect API key provided. Check the key of this endpoint.", "invalid_api_key"));

    const json body = data::json::parse_limited_or_discarded(req.body);
    if (body.is_discarded() || !body.is_object())
        return finish(error_reply(400, "request body is not a JSON object", "invalid_request_error"));
    if (!body.contains("model") || !body["model"].is_string())
        return finish(error_reply(400, "`model` is required", "invalid_request_error"));
    entry.model = body["model"].get<std::string>();
    const int m = model_index(entry.model);
    if (m < 0) return finish(error_reply(404, "The model `" + entry.model + "` does not exist", "model_not_found"));

    std::string prompt;
    if (chat) {
        if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
            return finish(error_reply(400, "`messages` must be a non-empty array", "invalid_request_error"));
        for (const auto& msg : body["messages"])
            if (msg.is_object() && msg.contains("content") && msg["content"].is_string())
                prompt += msg["content"].get<std::string>() + "\n";
    } else {
        if (!body.contains("prompt") || !body["prompt"].is_string())
            return finish(error_reply(400, "`prompt` must be a string", "invalid_request_error"));
        prompt = body["prompt"].get<std::string>();
    }
    int n = 1;
    if (body.contains("n")) {
        if (!body["n"].is_number_integer() || body["n"].get<long long>() < 1 || body["n"].get<long long>() > 1024)
            return finish(error_reply(400, "`n` must be an integer in [1, 1024]", "invalid_request_error"));
        n = body["n"].get<int>();
    }
    entry.n = n;
    if (body.contains("seed") && body["seed"].is_number_integer()) entry.seed = body["seed"].get<std::int64_t>();

    std::string answer_in_prompt;
    bool verification = false;
    const int row = find_row(prompt, &answer_in_prompt, &verification);
    entry.row = row;
    entry.verification = verification;
    if (row < 0)
        return finish(error_reply(400, "no stored row matches the question in this prompt", "invalid_request_error"));

    Fault fault = Fault::None;
    std::int64_t first_sample = entry.seed;
    {
        std::lock_guard lock(mutex_);
        if (!scripted_.empty()) {
            fault = scripted_.front();
            scripted_.pop_front();
        } else if (options_.fault_rate > 0 && !options_.fault_kinds.empty()) {
            std::uniform_real_distribution<double> u(0.0, 1.0);
            if (u(rng_) < options_.fault_rate) {
                std::uniform_int_distribution<std::size_t> pick(0, options_.fault_kinds.size() - 1);
                fault = options_.fault_kinds[pick(rng_)];
            }
        }
        if (first_sample < 0 && verification && (fault == Fault::None || fault == Fault::Slow)) {
            auto& next = unseeded_next_[{row, m}];
            first_sample = next;
            next += n;
        }
    }
    entry.fault = fault;
    if (fault == Fault::TooManyRequests) {
        HttpReply r = error_reply(429, "Rate limit reached for requests; please retry later", "rate_limit_exceeded");
        if (options_.retry_after_s >= 0) r.headers.emplace_back("Retry-After", std::to_string(options_.retry_after_s));
        r.delay_ms = options_.latency_ms;
        return finish(r);
    }
    if (fault == Fault::ServerError) {
        HttpReply r = error_reply(500, "The server had an error while processing your request", "server_error");
        r.delay_ms = options_.latency_ms;
        return finish(r);
    }
    if (fault == Fault::Unauthorized) return finish(error_reply(401, "Incorrect API key provided.", "invalid_api_key"));

    const auto& col = data_->models[static_cast<std::size_t>(m)];
    std::vector<std::string> texts;
    if (verification) {
        const auto& samples = col.verifier_samples[static_cast<std::size_t>(row)];
        if (!samples.empty()) {
            const auto k = static_cast<std::int64_t>(samples.size());
            for (int i = 0; i < n; ++i)
                texts.push_back(samples[static_cast<std::size_t>(((first_sample + i) % k + k) % k)]);
        } else {
            // No stored samples: answer in line with the stored confidence (32 virtual samples).
            double p = col.verifier_confidence[static_cast<std::size_t>(row)];
            if (!std::isfinite(p)) p = 0.0;
            const auto correct = static_cast<std::int64_t>(std::lround(p * 32));
            for (int i = 0; i < n; ++i)
                texts.push_back((((first_sample + i) % 32 + 32) % 32) < correct
                                    ? " Supported by the context. So the AI generated answer is correct."
                                    : " Not supported by the context. So the AI generated answer is incorrect.");
        }
    } else {
        for (int i = 0; i < n; ++i) texts.emplace_back(col.answer[static_cast<std::size_t>(row)]);
    }
    json choices = json::array();
    std::int64_t completion_tokens = 0;
    for (int i = 0; i < n; ++i) {
        json c = {{"index", i}, {"finish_reason", "stop"}};
        if (chat)
            c["message"] = {{"role", "assistant"}, {"content", texts[static_cast<std::size_t>(i)]}};
        else
            c["text"] = texts[static_cast<std::size_t>(i)];
        choices.push_back(std::move(c));
        completion_tokens += std::max<std::int64_t>(1, token_estimate(texts[static_cast<std::size_t>(i)]));
    }
    const std::int64_t prompt_tokens = token_estimate(prompt);
    json out = {{"id", "replay-" + entry.body_sha256.substr(0, 16)},
                {"object", chat ? "chat.completion" : "text_completion"},
                {"created", 0},
                {"model", entry.model},
                {"choices", choices},
                {"usage",
                 {{"prompt_tokens", prompt_tokens},
                  {"completion_tokens", completion_tokens},
                  {"total_tokens", prompt_tokens + completion_tokens}}}};
    const bool stream = body.contains("stream") && body["stream"].is_boolean() && body["stream"].get<bool>();
    if (stream) return finish(stream_reply(req, out, chat, fault, body));
    HttpReply r;
    r.body = out.dump(-1, ' ', false, json::error_handler_t::replace);
    r.delay_ms = options_.latency_ms + (fault == Fault::Slow ? options_.slow_ms : 0);
    if (fault == Fault::Malformed) r.body = r.body.substr(0, r.body.size() / 3) + "<<garbled";
    if (fault == Fault::CutConnection) r.cut_mid_body = true;
    return finish(r);
}

HttpReply ReplayServer::stream_reply(const HttpRequest& req, const json& whole, bool chat, Fault fault,
                                     const json& request) {
    // The whole reply's text, a word (and the space after it) per chunk, as token streams come.
    std::vector<json> events;
    auto chunk = [&](json choice) {
        return json{{"id", whole["id"]},
                    {"object", chat ? "chat.completion.chunk" : "text_completion"},
                    {"created", 0},
                    {"model", whole["model"]},
                    {"choices", json::array({std::move(choice)})}};
    };
    if (chat) events.push_back(chunk({{"index", 0}, {"delta", {{"role", "assistant"}, {"content", ""}}}}));
    const json& c0 = whole["choices"][0];
    const std::string text = chat ? c0["message"]["content"].get<std::string>() : c0["text"].get<std::string>();
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find(' ', at + 1);
        end = end == std::string::npos ? text.size() : end + 1;
        const std::string piece = text.substr(at, end - at);
        events.push_back(chunk(chat ? json{{"index", 0}, {"delta", {{"content", piece}}}}
                                    : json{{"index", 0}, {"text", piece}}));
        at = end;
    }
    events.push_back(chunk(chat ? json{{"index", 0}, {"delta", json::object()}, {"finish_reason", "stop"}}
                                : json{{"index", 0}, {"text", ""}, {"finish_reason", "stop"}}));
    if (request.contains("stream_options") && request["stream_options"].is_object() &&
        request["stream_options"].value("include_usage", false)) {
        json u = chunk(json::object());
        u["choices"] = json::array();
        u["usage"] = whole["usage"];
        events.push_back(std::move(u));
    }
    std::vector<std::string> pieces;
    for (const auto& e : events) pieces.push_back("data: " + e.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n");
    pieces.push_back("data: [DONE]\n\n");
    if (fault == Fault::Malformed) pieces[pieces.size() / 2] = "data: {\"choices\": [<<garbled\n\n";
    HttpReply r;
    r.content_type = "text/event-stream";
    const int first_delay = options_.latency_ms + (fault == Fault::Slow ? options_.slow_ms : 0);
    if (!req.open_stream) {  // without a socket: the events in one body
        for (const auto& p : pieces) r.body += p;
        r.delay_ms = first_delay;
        if (fault == Fault::CutConnection) r.cut_mid_body = true;
        return r;
    }
    if (first_delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(first_delay));
    ReplyStream* out = req.open_stream(r);
    const std::size_t cut_at = fault == Fault::CutConnection ? pieces.size() / 2 : pieces.size();
    for (std::size_t i = 0; i < cut_at; ++i) {
        if (i > 0 && options_.stream_chunk_ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(options_.stream_chunk_ms));
        if (!out->write(pieces[i])) break;
    }
    if (cut_at < pieces.size()) out->abort();
    return r;
}

}  // namespace automix::live
