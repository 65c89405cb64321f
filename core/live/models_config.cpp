#include "core/live/models_config.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/data/json_parse.hpp"
#include "core/routing/bins.hpp"
#include "core/routing/cascade_model.hpp"
#include "core/routing/method.hpp"
#include "core/routing/pomdp_simple.hpp"

namespace automix::live {

using nlohmann::json;

namespace {

std::string join_problems(const std::vector<std::string>& p) {
    std::string s;
    for (std::size_t i = 0; i < p.size(); ++i) s += (i ? "\n" : "") + p[i];
    return s;
}

// Reads fields of one JSON object, collecting problems instead of stopping at the first.
class Fields {
  public:
    Fields(const json& obj, std::string path, std::vector<std::string>& problems, const std::string& origin)
        : obj_(obj), path_(std::move(path)), problems_(problems), origin_(origin) {}

    void problem(const std::string& key, const std::string& what) {
        problems_.push_back(origin_ + ": " + path_ + (path_.empty() ? "" : ".") + key + ": " + what);
    }
    bool has(const std::string& key) {
        seen_.insert(key);
        return obj_.contains(key);
    }
    std::string string(const std::string& key, bool required, std::string fallback = "") {
        if (!has(key)) {
            if (required) problem(key, "required field is missing");
            return fallback;
        }
        const auto& v = obj_[key];
        if (!v.is_string() || v.get<std::string>().empty()) {
            problem(key, "expected a non-empty string");
            return fallback;
        }
        return v.get<std::string>();
    }
    double number(const std::string& key, double fallback, double lo, double hi, bool required = false) {
        if (!has(key)) {
            if (required) problem(key, "required field is missing");
            return fallback;
        }
        const auto& v = obj_[key];
        if (!v.is_number()) {
            problem(key, "expected a number, got " + std::string(v.type_name()));
            return fallback;
        }
        const double x = v.get<double>();
        if (!std::isfinite(x) || x < lo || x > hi) {
            std::ostringstream o;
            o << "value " << x << " is outside [" << lo << ", " << hi << "]";
            problem(key, o.str());
            return fallback;
        }
        return x;
    }
    int integer(const std::string& key, int fallback, int lo, int hi) {
        if (!has(key)) return fallback;
        const auto& v = obj_[key];
        if (!v.is_number_integer()) {
            problem(key, "expected an integer, got " + std::string(v.type_name()));
            return fallback;
        }
        const auto x = v.get<long long>();
        if (x < lo || x > hi) {
            problem(key, "value " + std::to_string(x) + " is outside [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "]");
            return fallback;
        }
        return static_cast<int>(x);
    }
    bool boolean(const std::string& key, bool fallback) {
        if (!has(key)) return fallback;
        if (!obj_[key].is_boolean()) {
            problem(key, "expected true or false");
            return fallback;
        }
        return obj_[key].get<bool>();
    }
    // Unknown keys are errors: a typo ("max_concurency") must not silently become a default.
    void reject_unknown() {
        for (auto it = obj_.begin(); it != obj_.end(); ++it)
            if (!seen_.count(it.key())) problem(it.key(), "unknown field");
    }

  private:
    const json& obj_;
    std::string path_;
    std::vector<std::string>& problems_;
    const std::string& origin_;
    std::set<std::string> seen_;
};

// RFC 9110 token characters.
bool header_name_ok(const std::string& name) {
    if (name.empty()) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos))
            return false;
    return true;
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> p) : std::runtime_error(join_problems(p)), problems(std::move(p)) {}

double ModelEndpoint::money(std::int64_t prompt_tokens, std::int64_t completion_tokens) const {
    if (price_per_call) return *price_per_call;
    return static_cast<double>(prompt_tokens) / 1000.0 * price_in_per_1k +
           static_cast<double>(completion_tokens) / 1000.0 * price_out_per_1k;
}

namespace {

// "" when `t` is a belief table for num_bins (what routing_models_config writes), else why not.
std::string belief_table_problem(const json& t, int num_bins) {
    if (!t.is_object() || !t.contains("states") || !t["states"].is_array() || !t.contains("bins") ||
        !t["bins"].is_array())
        return "expected {\"states\": [names], \"bins\": [{\"rows\": n, \"p\": [...]}, ...]}";
    const auto& states = t["states"];
    if (states.empty() || states.size() > 64) return "states: expected 1 to 64 state names";
    for (const auto& s : states)
        if (!s.is_string()) return "states: expected strings";
    if (t["bins"].size() != static_cast<std::size_t>(num_bins) + 1)
        return "bins: expected num_bins + 1 = " + std::to_string(num_bins + 1) + " entries, got " +
               std::to_string(t["bins"].size());
    for (std::size_t k = 0; k < t["bins"].size(); ++k) {
        const auto& b = t["bins"][k];
        const std::string at = "bins[" + std::to_string(k) + "]";
        if (!b.is_object() || !b.contains("rows") || !b["rows"].is_number_unsigned() || !b.contains("p") ||
            !b["p"].is_array() || b["p"].size() != states.size())
            return at + ": expected {\"rows\": n, \"p\": [one probability per state]}";
        for (const auto& x : b["p"])
            if (!x.is_number() || !(x.get<double>() >= 0.0 && x.get<double>() <= 1.0))
                return at + ".p: expected probabilities in [0, 1]";
    }
    return {};
}

// "" when `t` is an N-model cascade belief model for `models` models and num_bins (what
// routing_models_config writes for Cascade), else which part is wrong and why.
std::string cascade_belief_problem(const json& t, int num_bins, std::size_t models) {
    if (!t.is_object() || !t.contains("states") || !t["states"].is_array() || !t.contains("prior") ||
        !t["prior"].is_array() || !t.contains("steps") || !t["steps"].is_array())
        return "expected {\"states\": [names], \"prior\": [P(s)], \"steps\": [{\"bins\": [[P(bin | s)], ...]}, ...]}";
    if (models < 2 || models > 8) return "needs 2 to 8 models, the config has " + std::to_string(models);
    const std::size_t S = std::size_t{1} << models;
    if (t["states"].size() != S)
        return "states: expected 2^" + std::to_string(models) + " = " + std::to_string(S) + " names, got " +
               std::to_string(t["states"].size());
    for (const auto& s : t["states"])
        if (!s.is_string()) return "states: expected strings";
    const auto probabilities = [](const json& a, std::size_t n, double* sum) {
        if (!a.is_array() || a.size() != n) return false;
        *sum = 0;
        for (const auto& x : a) {
            if (!x.is_number() || !(x.get<double>() >= 0.0 && x.get<double>() <= 1.0)) return false;
            *sum += x.get<double>();
        }
        return true;
    };
    double sum = 0;
    if (!probabilities(t["prior"], S, &sum) || std::abs(sum - 1.0) > 1e-6)
        return "prior: expected " + std::to_string(S) + " probabilities in [0, 1] that sum to 1";
    if (t["steps"].size() != models - 1)
        return "steps: expected one per model but the last (" + std::to_string(models - 1) + "), got " +
               std::to_string(t["steps"].size());
    const auto B = static_cast<std::size_t>(num_bins) + 1;
    for (std::size_t j = 0; j < models - 1; ++j) {
        const json& step = t["steps"][j];
        const std::string at = "steps[" + std::to_string(j) + "]";
        if (!step.is_object() || !step.contains("bins") || !step["bins"].is_array() || step["bins"].size() != B)
            return at + ".bins: expected num_bins + 1 = " + std::to_string(B) + " rows of P(bin | state)";
        std::vector<double> column(S, 0.0);
        for (std::size_t o = 0; o < B; ++o) {
            if (!probabilities(step["bins"][o], S, &sum))
                return at + ".bins[" + std::to_string(o) + "]: expected " + std::to_string(S) +
                       " probabilities in [0, 1], one per state";
            for (std::size_t s = 0; s < S; ++s) column[s] += step["bins"][o][s].get<double>();
        }
        for (std::size_t s = 0; s < S; ++s)
            if (std::abs(column[s] - 1.0) > 1e-6)
                return at + ".bins: P(bin | state " + t["states"][s].get<std::string>() + ") sums to " +
                       std::to_string(column[s]) + " over the bins, not 1";
    }
    return {};
}

}  // namespace

HttpCall ModelEndpoint::call(const std::string& key, int endpoint) const {
    const Provider& p = provider();
    HttpCall c;
    c.endpoint = endpoint;
    c.api_key = key;
    c.headers = p.fixed_headers();
    c.headers.insert(c.headers.end(), headers.begin(), headers.end());
    for (auto& line : p.auth_headers(key, api_key_header)) c.headers.push_back(std::move(line));
    c.ca_file = ca_file;
    c.max_response_bytes = max_response_bytes;
    c.timeout_s = timeout_s;
    return c;
}

ModelsConfig parse_models_config(const std::string& text, const std::string& origin, const std::string& base_dir) {
    json root;
    try {
        root = data::json::parse_limited(text);
    } catch (const data::json::LimitError& e) {
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i < e.offset && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw ConfigError({origin + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + e.what()});
    } catch (const json::parse_error& e) {
        // Turn the byte offset into line:column for the message.
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        std::string what = e.what();
        if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
        throw ConfigError(
            {origin + ":" + std::to_string(line) + ":" + std::to_string(col) + ": invalid JSON (" + what + ")"});
    } catch (const json::out_of_range& e) {
        // A number literal too big for a double ("1e999"); found by fuzz/fuzz_models_config.
        std::string what = e.what();
        if (auto p = what.find("number overflow"); p != std::string::npos) what = what.substr(p);
        throw ConfigError({origin + ": invalid JSON (" + what + ")"});
    }
    std::vector<std::string> problems;
    if (!root.is_object()) throw ConfigError({origin + ": expected a JSON object at the top level"});
    ModelsConfig cfg;
    cfg.source = origin;
    Fields top(root, "", problems, origin);

    if (!top.has("models") || !root["models"].is_array()) {
        top.problem("models", "required array of models (cheapest first) is missing");
    } else {
        const auto& arr = root["models"];
        if (arr.size() < 2) top.problem("models", "need at least 2 models, got " + std::to_string(arr.size()));
        std::set<std::string> names;
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string path = "models[" + std::to_string(i) + "]";
            if (!arr[i].is_object()) {
                problems.push_back(origin + ": " + path + ": expected an object");
                continue;
            }
            Fields f(arr[i], path, problems, origin);
            ModelEndpoint m;
            m.name = f.string("name", true);
            m.display_name = f.string("display_name", false, m.name);
            m.base_url = f.string("base_url", true);
            if (!m.base_url.empty() && m.base_url.rfind("http://", 0) != 0 && m.base_url.rfind("https://", 0) != 0)
                f.problem("base_url", "must start with http:// or https://");
            m.model_id = f.string("model", true);
            m.api = f.string("api", false, "chat");
            if (!find_provider(m.api)) {
                std::string known;
                for (const auto& n : provider_names()) known += (known.empty() ? "\"" : "\", \"") + n + "\"";
                f.problem("api", "unknown provider \"" + m.api + "\" (known: " + known + ")");
            }
            m.api_key_env = f.string("api_key_env", false);
            const bool per_token = f.has("price_per_1k_input") || f.has("price_per_1k_output");
            const bool per_call = f.has("price_per_call");
            if (per_token && per_call)
                f.problem("price_per_call", "give either per-1k-token prices or a per-call price, not both");
            if (!per_token && !per_call)
                f.problem(
                    "price_per_1k_input",
                    "a price is required (price_per_1k_input + price_per_1k_output, or price_per_call; 0 for free)");
            if (per_token) {
                m.price_in_per_1k = f.number("price_per_1k_input", 0.0, 0.0, 1e6, true);
                m.price_out_per_1k = f.number("price_per_1k_output", 0.0, 0.0, 1e6, true);
            }
            if (per_call) m.price_per_call = f.number("price_per_call", 0.0, 0.0, 1e6);
            const double default_cost = i == 0 ? 1.0 : 50.0;  // method §4 defaults for 2 models
            if (!f.has("call_cost") && arr.size() > 2)
                f.problem("call_cost", "required when there are more than 2 models");
            m.call_cost = f.number("call_cost", default_cost, 0.0, 1e12);
            m.max_concurrency = f.integer("max_concurrency", 4, 1, 1024);
            m.timeout_s = f.number("timeout_s", 60.0, 0.001, 86400.0);
            m.temperature = f.number("temperature", 0.0, 0.0, 2.0);
            m.max_tokens = f.integer("max_tokens", 64, 1, 1 << 20);
            m.supports_n = f.boolean("supports_n", true);
            m.api_key_header = f.string("api_key_header", false);
            if (!m.api_key_header.empty() && !header_name_ok(m.api_key_header))
                f.problem("api_key_header", "not a valid HTTP header name");
            if (f.has("headers")) {
                const auto& h = arr[i]["headers"];
                if (!h.is_object()) {
                    f.problem("headers", "expected an object of header names to string values");
                } else {
                    for (auto it = h.begin(); it != h.end(); ++it) {
                        if (!header_name_ok(it.key()))
                            f.problem("headers." + it.key(), "not a valid HTTP header name");
                        else if (!it.value().is_string() ||
                                 it.value().get<std::string>().find_first_of("\r\n") != std::string::npos)
                            f.problem("headers." + it.key(), "expected a one-line string");
                        else
                            m.headers.push_back(it.key() + ": " + it.value().get<std::string>());
                    }
                }
            }
            m.url_query = f.string("url_query", false);
            if (m.url_query.find_first_of(" ?#\r\n") != std::string::npos)
                f.problem("url_query", "expected a query string without '?', e.g. \"api-version=2024-06-01\"");
            if (f.has("extra_body")) {
                if (!arr[i]["extra_body"].is_object())
                    f.problem("extra_body", "expected an object of request fields");
                else
                    m.extra_body = arr[i]["extra_body"].dump();
            }
            m.ca_file = f.string("ca_file", false);
            if (!m.ca_file.empty()) {
                std::filesystem::path fp(m.ca_file);
                if (!fp.is_absolute()) m.ca_file = (std::filesystem::path(base_dir) / fp).string();
                std::ifstream probe(m.ca_file);
                if (!probe) f.problem("ca_file", "cannot read " + m.ca_file);
            }
            m.max_response_bytes = static_cast<std::size_t>(f.integer("max_response_bytes", 8 << 20, 1024, 1 << 30));
            f.has("$comment");  // a note for the reader, e.g. how to point the entry at Azure
            f.reject_unknown();
            if (!m.name.empty() && !names.insert(m.name).second)
                f.problem("name", "duplicate model name \"" + m.name + "\"");
            cfg.models.push_back(std::move(m));
        }
        for (std::size_t i = 1; i < cfg.models.size(); ++i)
            if (cfg.models[i].call_cost < cfg.models[i - 1].call_cost)
                problems.push_back(origin + ": models[" + std::to_string(i) +
                                   "].call_cost: models must be ordered by cost, cheapest first");
    }

    if (top.has("verifier")) {
        if (!root["verifier"].is_object()) {
            top.problem("verifier", "expected an object");
        } else {
            Fields f(root["verifier"], "verifier", problems, origin);
            cfg.verifier.k = f.integer("k", cfg.verifier.k, 1, 1024);
            cfg.verifier.temperature = f.number("temperature", cfg.verifier.temperature, 0.0, 2.0);
            cfg.verifier.max_tokens = f.integer("max_tokens", cfg.verifier.max_tokens, 1, 1 << 20);
            f.reject_unknown();
        }
    }
    if (!top.has("meta_verifier") || !root["meta_verifier"].is_object()) {
        top.problem("meta_verifier", "required object {\"method\": ..., \"params\": ...} is missing");
    } else {
        Fields f(root["meta_verifier"], "meta_verifier", problems, origin);
        cfg.meta_verifier.method = f.string("method", true);
        if (!f.has("params"))
            f.problem("params", "required field is missing (e.g. 0.375 for Threshold)");
        else
            cfg.meta_verifier.params = root["meta_verifier"]["params"];
        cfg.meta_verifier.num_bins = f.integer("num_bins", 8, 1, 1000);
        if (f.has("belief")) {
            if (const std::string why =
                    belief_table_problem(root["meta_verifier"]["belief"], cfg.meta_verifier.num_bins);
                !why.empty())
                f.problem("belief", why);
            else
                cfg.meta_verifier.belief = root["meta_verifier"]["belief"];
        }
        if (f.has("cascade_belief")) {
            if (const std::string why = cascade_belief_problem(root["meta_verifier"]["cascade_belief"],
                                                               cfg.meta_verifier.num_bins, cfg.models.size());
                !why.empty())
                f.problem("cascade_belief", why);
            else
                cfg.meta_verifier.cascade_belief = root["meta_verifier"]["cascade_belief"];
        }
        f.reject_unknown();
    }
    if (top.has("retry")) {
        if (!root["retry"].is_object()) {
            top.problem("retry", "expected an object");
        } else {
            Fields f(root["retry"], "retry", problems, origin);
            cfg.retry.max_attempts = f.integer("max_attempts", cfg.retry.max_attempts, 1, 100);
            cfg.retry.initial_backoff_s = f.number("initial_backoff_s", cfg.retry.initial_backoff_s, 0.0, 3600.0);
            cfg.retry.max_backoff_s = f.number("max_backoff_s", cfg.retry.max_backoff_s, 0.0, 86400.0);
            cfg.retry.jitter = f.number("jitter", cfg.retry.jitter, 0.0, 1.0);
            cfg.retry.max_retry_after_s = f.number("max_retry_after_s", cfg.retry.max_retry_after_s, 0.0, 86400.0);
            cfg.retry.breaker_threshold = f.integer("breaker_threshold", cfg.retry.breaker_threshold, 0, 1000000);
            f.reject_unknown();
        }
    }
    if (top.has("prompts")) {
        if (!root["prompts"].is_object()) {
            top.problem("prompts", "expected an object");
        } else {
            Fields f(root["prompts"], "prompts", problems, origin);
            auto resolve = [&](const std::string& p) {
                if (p.empty()) return p;
                std::filesystem::path fp(p);
                return fp.is_absolute() ? p : (std::filesystem::path(base_dir) / fp).string();
            };
            cfg.answer_prompt_file = resolve(f.string("answer", false));
            cfg.verify_prompt_file = resolve(f.string("verify", false));
            f.reject_unknown();
        }
    }
    cfg.verifier_cost = top.number("verifier_cost", 1.0, 0.0, 1e12);
    cfg.run_all_models = top.boolean("run_all_models", false);
    top.has("$comment");
    top.reject_unknown();
    if (!problems.empty()) throw ConfigError(std::move(problems));
    return cfg;
}

ModelsConfig load_models_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError({path + ": cannot open the models config"});
    std::stringstream ss;
    ss << in.rdbuf();
    const auto dir = std::filesystem::path(path).parent_path();
    return parse_models_config(ss.str(), path, dir.empty() ? "." : dir.string());
}

nlohmann::json emit_models_config(const nlohmann::json& base, const std::vector<std::string>& model_names,
                                  const std::string& method_name, const nlohmann::json& params, int num_bins,
                                  const std::vector<double>& call_costs, double verifier_cost, int verifier_k) {
    const auto method = routing::find_method(method_name);
    if (!method) throw ConfigError({"unknown method \"" + method_name + "\""});
    if (const std::string why = method->offline_only(); !why.empty())
        throw ConfigError({method->name() + " cannot route a live run: " + why});
    json cfg = base;
    if (cfg.is_null()) {
        cfg = {{"$comment", "Written by `automix eval --emit-config`: the endpoints point at `automix serve-replay "
                            "--port 8431`; set base_url, model, prices and api_key_env for real servers."}};
        json models = json::array();
        for (const auto& name : model_names)
            models.push_back({{"name", name},
                              {"base_url", "http://127.0.0.1:8431/v1"},
                              {"model", name},
                              {"api", "chat"},
                              {"price_per_call", 0}});
        cfg["models"] = models;
        cfg["verifier"] = {{"k", verifier_k}, {"temperature", 0.7}, {"max_tokens", 48}};
    }
    if (!cfg.is_object() || !cfg.contains("models") || !cfg["models"].is_array())
        throw ConfigError({"the base config has no `models` array"});
    if (cfg["models"].size() != call_costs.size())
        throw ConfigError({"the base config has " + std::to_string(cfg["models"].size()) +
                           " models, the evaluated data " + std::to_string(call_costs.size())});
    for (std::size_t j = 0; j < call_costs.size(); ++j)
        if (cfg["models"][j].is_object()) cfg["models"][j]["call_cost"] = call_costs[j];
    cfg["meta_verifier"] = {{"method", method->name()}, {"params", params}, {"num_bins", num_bins}};
    cfg["verifier_cost"] = verifier_cost;
    (void)parse_models_config(cfg.dump(), "emitted config");  // what we write must load
    return cfg;
}

nlohmann::json routing_models_config(const nlohmann::json& base, const data::Dataset& ds, const data::View& train_rows,
                                     const std::string& method, const nlohmann::json& params,
                                     const routing::Config& cfg) {
    std::vector<std::string> names;
    for (const auto& c : ds.models) names.push_back(c.name);
    std::size_t k = 8;
    if (!ds.models.empty())
        for (const auto r : train_rows)
            if (ds.models[0].verifier_samples.count(r) > 0) {
                k = ds.models[0].verifier_samples.count(r);
                break;
            }
    std::vector<double> costs = cfg.call_costs;
    if (costs.size() != ds.models.size()) {  // two costs given for the ends of a longer ladder
        costs.clear();
        for (const auto& c : ds.models) costs.push_back(c.call_cost);
    }
    json out =
        emit_models_config(base, names, method, params, cfg.num_bins, costs, cfg.verifier_cost, static_cast<int>(k));
    // What the train rows in each confidence bin were (method §5), so `automix serve` can say
    // what a request's confidence means without the train rows. A two-model view only: the
    // N-model cascade's belief comes from its learned model.
    const auto m = routing::find_method(method);
    if (m && !m->uses_all_models() && !train_rows.empty()) {
        const routing::Bins bins(cfg.num_bins);
        json per_bin = json::array();
        for (const auto& o : routing::observation_table(ds, train_rows, bins))
            per_bin.push_back({{"rows", o.rows}, {"p", {o.p_needy, o.p_good, o.p_hopeless}}});
        out["meta_verifier"]["belief"] = {{"states", {"NEEDY", "GOOD", "HOPELESS"}}, {"bins", per_bin}};
        (void)parse_models_config(out.dump(), "emitted config");
    } else if (m && m->uses_all_models() && !train_rows.empty() && ds.models.size() >= 2 &&
               ds.models.size() <= static_cast<std::size_t>(routing::cascade::kMaxModels)) {
        // The N-model cascade's learned POMDP, as much of it as a belief needs: the prior over
        // the correctness states and, per verified step, P(confidence bin | state). Serve
        // updates the prior with each step's bin (Bayes), as the Cascade method does.
        namespace rc = routing::cascade;
        rc::CascadeOptions o;
        o.num_bins = cfg.num_bins;
        try {
            const rc::CascadeModel cm = rc::learn_cascade_model(ds, train_rows, o, rc::cascade_costs(ds, cfg));
            json states = json::array(), steps = json::array();
            for (int s = 0; s < cm.states; ++s) states.push_back(rc::state_label(s, cm.models));
            for (int j = 0; j + 1 < cm.models; ++j) {
                json bins = json::array();
                for (int b = 0; b < cm.observations; ++b) {
                    json row = json::array();
                    for (int s = 0; s < cm.states; ++s) row.push_back(cm.obs(j, s, b));
                    bins.push_back(std::move(row));
                }
                steps.push_back({{"model", names[static_cast<std::size_t>(j)]}, {"bins", std::move(bins)}});
            }
            out["meta_verifier"]["cascade_belief"] = {
                {"states", states}, {"train_rows", cm.train_rows}, {"prior", cm.prior}, {"steps", steps}};
            (void)parse_models_config(out.dump(), "emitted config");
        } catch (const std::exception&) {
            // Rows the POMDP cannot learn from (a missing score): the config routes all the same,
            // its replies carry no belief.
            out["meta_verifier"].erase("cascade_belief");
        }
    }
    return out;
}

std::vector<std::string> resolve_api_keys(const ModelsConfig& cfg, const std::map<std::string, std::string>& typed) {
    std::vector<std::string> keys;
    std::vector<std::string> problems;
    for (std::size_t i = 0; i < cfg.models.size(); ++i) {
        const auto& m = cfg.models[i];
        if (auto it = typed.find(m.name); it != typed.end() && !it->second.empty()) {
            keys.push_back(it->second);
            continue;
        }
        if (m.api_key_env.empty()) {
            keys.emplace_back();
            continue;
        }
        const char* v = std::getenv(m.api_key_env.c_str());
        if (!v || !*v)
            problems.push_back(cfg.source + ": models[" + std::to_string(i) + "].api_key_env: environment variable " +
                               m.api_key_env + " is not set (model \"" + m.name + "\")");
        keys.emplace_back(v ? v : "");
    }
    if (!problems.empty()) throw ConfigError(std::move(problems));
    return keys;
}

}  // namespace automix::live
