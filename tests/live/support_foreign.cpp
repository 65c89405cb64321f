#include "support_foreign.hpp"

#include <chrono>

namespace live_test {

using automix::live::HttpReply;
using automix::live::HttpRequest;
using nlohmann::json;

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

ForeignServer::ForeignServer(ForeignOptions options)
    : options_(std::move(options)), start_(now_s()), http_([this](const HttpRequest& r) { return handle(r); }) {
    http_.start(0);
}

ForeignServer::~ForeignServer() {
    http_.stop();
}

std::string ForeignServer::base_url() const {
    return "http://127.0.0.1:" + std::to_string(http_.port()) + "/v1";
}

void ForeignServer::script(std::vector<HttpReply> replies) {
    std::lock_guard lock(mutex_);
    script_ = std::move(replies);
}

void ForeignServer::set_options(const ForeignOptions& o) {
    std::lock_guard lock(mutex_);
    options_ = o;
}

std::size_t ForeignServer::posts() const {
    std::lock_guard lock(mutex_);
    return posts_;
}

std::size_t ForeignServer::gets() const {
    std::lock_guard lock(mutex_);
    return gets_;
}

std::vector<HttpRequest> ForeignServer::requests() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

std::vector<double> ForeignServer::post_times() const {
    std::lock_guard lock(mutex_);
    return post_times_;
}

HttpReply ForeignServer::html_error(int status) {
    HttpReply r;
    r.status = status;
    r.content_type = "text/html";
    r.body = "<html>\n<head><title>" + std::to_string(status) +
             " Bad Gateway</title></head>\n<body><center><h1>Bad Gateway</h1></center><hr><center>nginx</center>"
             "</body>\n</html>\n";
    return r;
}

HttpReply ForeignServer::json_error(int status, const std::string& message, const std::string& code,
                                    std::vector<std::pair<std::string, std::string>> headers) {
    HttpReply r;
    r.status = status;
    json e = {{"message", message}, {"type", code.empty() ? "server_error" : code}};
    if (!code.empty()) e["code"] = code;
    r.body = json{{"error", e}}.dump();
    r.headers = std::move(headers);
    return r;
}

HttpReply ForeignServer::handle(const HttpRequest& req) {
    std::lock_guard lock(mutex_);
    seen_.push_back(req);
    if (!options_.required_key.empty()) {
        const std::string auth = req.header("authorization");
        const std::string api_key = req.header("api-key");
        if (auth != "Bearer " + options_.required_key && api_key != options_.required_key)
            return json_error(401, "Incorrect API key provided: sk-***", "invalid_api_key");
    }
    if (req.method == "GET") {
        ++gets_;
        if (!options_.models_route || (req.path != "/v1/models")) {
            HttpReply r;
            r.status = 404;
            r.content_type = "text/plain";
            r.body = "Not Found";
            return r;
        }
        json data = json::array();
        for (const auto& id : options_.listed) data.push_back({{"id", id}, {"object", "model"}});
        HttpReply r;
        r.body = json{{"object", "list"}, {"data", data}}.dump();
        return r;
    }
    ++posts_;
    post_times_.push_back(now_s() - start_);
    if (!script_.empty()) {
        HttpReply r = script_.front();
        script_.erase(script_.begin());
        return r;
    }
    return complete(req);
}

HttpReply ForeignServer::complete(const HttpRequest& req) {
    const json body = json::parse(req.body, nullptr, false);
    const bool chat = req.path.find("chat") != std::string::npos;
    std::string prompt;
    if (chat && body.contains("messages")) prompt = body["messages"][0]["content"].get<std::string>();
    if (!chat && body.contains("prompt")) prompt = body["prompt"].get<std::string>();
    const std::string model = body.value("model", "");
    bool known = false;
    for (const auto& k : options_.known) known = known || k == model;
    if (!known) return json_error(404, "The model `" + model + "` does not exist", "model_not_found");
    const bool verification = prompt.find("AI Generated Answer:") != std::string::npos &&
                              prompt.rfind("Verification:") + 14 >= prompt.size();
    const int n = options_.ignore_n ? 1 : body.value("n", 1);
    std::string text;
    if (verification)
        text = options_.no_verdicts ? " I would say it looks fine." : " So the AI generated answer is " + options_.verdict + ".";
    else
        text = " Paris";
    if (options_.answer_bytes > text.size()) text += std::string(options_.answer_bytes - text.size(), 'x');
    if (options_.echo_prompt) text = prompt + text;
    json choices = json::array();
    for (int i = 0; i < n; ++i) {
        json c = {{"index", i}, {"finish_reason", options_.finish_reason}};
        json content = options_.null_content ? json(nullptr) : json(text);
        if (chat)
            c["message"] = {{"role", "assistant"}, {"content", content}};
        else
            c["text"] = content;
        choices.push_back(std::move(c));
    }
    json out = {{"id", "cmpl-1"}, {"object", chat ? "chat.completion" : "text_completion"}, {"choices", choices}};
    if (!options_.omit_usage)
        out["usage"] = {{"prompt_tokens", static_cast<long long>(prompt.size() / 4)},
                        {"completion_tokens", 3 * n},
                        {"total_tokens", static_cast<long long>(prompt.size() / 4) + 3 * n}};
    HttpReply r;
    r.body = out.dump();
    return r;
}

}  // namespace live_test
