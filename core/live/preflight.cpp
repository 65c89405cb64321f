#include "core/live/preflight.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/data/json_parse.hpp"
#include "core/live/call_engine.hpp"
#include "core/live/openai_protocol.hpp"

namespace automix::live {

namespace {

HttpCall base_call(const ModelEndpoint& m, const std::string& key, int endpoint) {
    HttpCall c = m.call(key, endpoint);
    c.timeout_s = std::min(m.timeout_s, 15.0);
    return c;
}

// The ids a /models reply lists; nullopt when the body is not such a list.
std::optional<std::vector<std::string>> listed_ids(const std::string& body) {
    const auto j = data::json::parse_limited_or_discarded(body);
    const nlohmann::json* list = nullptr;
    if (j.is_object() && j.contains("data") && j["data"].is_array()) list = &j["data"];
    if (j.is_object() && j.contains("models") && j["models"].is_array()) list = &j["models"];  // Ollama-style
    if (!list) return std::nullopt;
    std::vector<std::string> ids;
    for (const auto& e : *list) {
        if (e.is_string()) ids.push_back(e.get<std::string>());
        for (const char* k : {"id", "name", "model"})
            if (e.is_object() && e.contains(k) && e[k].is_string()) {
                ids.push_back(e[k].get<std::string>());
                break;
            }
    }
    return ids;
}

std::string list_text(const std::vector<std::string>& ids) {
    std::string s;
    for (std::size_t i = 0; i < ids.size() && i < 8; ++i) s += (i ? ", " : "") + ids[i];
    if (ids.size() > 8) s += ", ... (" + std::to_string(ids.size()) + " in all)";
    return s.empty() ? "nothing" : s;
}

}  // namespace

std::vector<PreflightCheck> preflight(const ModelsConfig& cfg, const std::vector<std::string>& keys,
                                      const std::atomic<bool>* cancel) {
    RetryPolicy policy;
    policy.max_attempts = 2;  // one retry for a blip; a dead endpoint must fail fast
    policy.initial_backoff_s = 0.2;
    policy.max_backoff_s = 1.0;
    policy.max_retry_after_s = 2.0;
    policy.breaker_threshold = 0;
    CallEngine engine(policy);
    std::vector<PreflightCheck> out(cfg.models.size());
    std::vector<std::vector<std::string>> listed(cfg.models.size());

    auto key_hint = [&](std::size_t j) {
        const auto& m = cfg.models[j];
        return m.api_key_env.empty() ? std::string(" (no api_key_env is set for this model)")
                                     : " (key from $" + m.api_key_env + ")";
    };
    // The 1-token completion: the last word when /models cannot tell.
    auto probe_call = [&](std::size_t j, int endpoint) {
        const auto& m = cfg.models[j];
        HttpCall c = base_call(m, j < keys.size() ? keys[j] : std::string(), endpoint);
        Sampling s;
        s.max_tokens = 1;
        c.url = completion_url(m.provider(), m.base_url, m.url_query);
        c.body = request_body(m.provider(), m.model_id, "Say OK.", s, m.extra_body);
        c.label = m.name + " preflight 1-token call";
        const Provider* api = &m.provider();
        c.validate = [api](const std::string& body) -> std::optional<ParseProblem> {
            ParseOptions o;
            o.allow_length = true;  // one token is always cut at max_tokens
            ParseProblem why("");
            if (!parse_completion(*api, body, o, &why)) return why;
            return std::nullopt;
        };
        c.done = [&, j](const CallResult& r) {
            auto& check = out[j];
            check.how += check.how.empty() ? "1-token call" : " + 1-token call";
            check.http_status = r.http_status;
            check.seconds += r.seconds;
            if (r.status == CallResult::Status::Ok) {
                check.ok = true;
                check.message =
                    listed[j].empty() ? "answers" : "answers, although /models lists only " + list_text(listed[j]);
            } else if (r.status == CallResult::Status::Failed) {
                check.ok = false;
                std::string why = r.error;
                if (r.http_status == 401 || r.http_status == 403) why = "key rejected" + key_hint(j) + ": " + why;
                if (!listed[j].empty())
                    why = "model \"" + cfg.models[j].model_id + "\" is not offered (the server lists " +
                          list_text(listed[j]) + "): " + why;
                check.message = why;
            } else {
                check.message = "cancelled";
            }
        };
        engine.submit(std::move(c));
    };

    for (std::size_t j = 0; j < cfg.models.size(); ++j) {
        const auto& m = cfg.models[j];
        out[j].model = m.name;
        const int endpoint = engine.add_endpoint(2);
        HttpCall c = base_call(m, j < keys.size() ? keys[j] : std::string(), endpoint);
        c.get = true;
        c.url = models_url(m.provider(), m.base_url, m.url_query);
        c.label = m.name + " preflight GET /models";
        c.done = [&, j, endpoint](const CallResult& r) {
            auto& check = out[j];
            check.how = "GET /models";
            check.http_status = r.http_status;
            check.seconds = r.seconds;
            if (r.status == CallResult::Status::Cancelled) {
                check.message = "cancelled";
                return;
            }
            if (r.status == CallResult::Status::Ok) {
                const auto ids = listed_ids(r.body);
                if (ids && std::find(ids->begin(), ids->end(), cfg.models[j].model_id) != ids->end()) {
                    check.ok = true;
                    check.message = "\"" + cfg.models[j].model_id + "\" is listed";
                    return;
                }
                if (ids) listed[j] = *ids;
                probe_call(j, endpoint);
                return;
            }
            if (r.http_status == 0) {
                check.message = "cannot reach " + cfg.models[j].base_url + ": " + r.error;
                return;
            }
            if (r.http_status == 401 || r.http_status == 403) {
                check.message = "key rejected" + key_hint(j) + ": " + r.error;
                return;
            }
            if (r.http_status == 429 && r.error.find("quota") != std::string::npos) {
                check.message = r.error;
                return;
            }
            // No /models route (or a broken one): a completion decides.
            check.how.clear();
            probe_call(j, endpoint);
        };
        engine.submit(std::move(c));
    }
    engine.run(cancel);
    return out;
}

}  // namespace automix::live
