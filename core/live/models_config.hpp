#pragma once
// The models config of a live run (JSON): the endpoints of the cascade, ordered by cost, the
// self-verification sampling and the meta-verifier. Validation reports every problem with its
// JSON path ("models.json: models[1].timeout_s: expected a positive number").
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/live/call_engine.hpp"
#include "core/routing/method.hpp"
#include "core/live/openai_protocol.hpp"
#include "core/live/provider.hpp"

namespace automix::live {

struct ModelEndpoint {
    std::string name;          // column name in the output ("small", "llama13b", ...)
    std::string display_name;  // defaults to name
    std::string base_url;      // API root, e.g. "http://127.0.0.1:8080/v1"
    std::string model_id;      // `model` field sent to the server
    std::string api = "chat";  // the provider (core/live/provider.hpp) that speaks to it
    std::string api_key_env;  // "" = the endpoint needs no key
    // Money: per-1k-token prices, or a fixed price per call (exactly one of the two forms).
    double price_in_per_1k = 0.0;
    double price_out_per_1k = 0.0;
    std::optional<double> price_per_call;
    double call_cost = 1.0;  // abstract cost units for the routing metrics (method §4)
    int max_concurrency = 4;
    double timeout_s = 60.0;
    double temperature = 0.0;
    int max_tokens = 64;
    // Request n samples in one call; else n separate calls. A server that answers an n > 1
    // request with fewer choices is remembered as not supporting n for the rest of the run.
    bool supports_n = true;
    // Servers we did not write: the header that carries the key ("" = Authorization: Bearer;
    // "api-key" for Azure), extra headers, a query string for the URL ("api-version=..."),
    // fields merged into every request body (a null removes one), a private CA bundle.
    std::string api_key_header;
    std::vector<std::string> headers;  // "Name: value"
    std::string url_query;
    std::string extra_body;  // JSON object text, "" = none
    std::string ca_file;     // "" = $SSL_CERT_FILE / $CURL_CA_BUNDLE / the system bundle
    std::size_t max_response_bytes = 8u << 20;

    double money(std::int64_t prompt_tokens, std::int64_t completion_tokens) const;
    // The provider named by `api` (std::invalid_argument for an unknown one; the parser checks).
    const Provider& provider() const { return provider_for(api); }
    // A call to this model: its key, the provider's auth and fixed headers, the configured
    // headers, CA file and limits; URL, body and label are the caller's.
    HttpCall call(const std::string& key, int endpoint) const;
};

struct VerifierConfig {
    int k = 8;  // samples per verification
    double temperature = 0.7;
    int max_tokens = 48;
};

struct MetaVerifierConfig {
    std::string method = "Threshold";  // a routing method name (core/routing registry)
    nlohmann::json params = 0.5;       // that method's parameter value
    int num_bins = 8;
    // Per confidence bin, what the train rows there were: {"states": [...], "bins": [{"rows",
    // "p"}, ...]} (routing_models_config writes it for two-model methods); null = none.
    nlohmann::json belief;
    // The N-model cascade's belief model: {"states": [labels], "train_rows": n, "prior": [P(s)],
    // "steps": [{"model", "bins": [[P(bin | s) per state] per bin]} per verified model]}
    // (routing_models_config writes it for N-model methods); null = none.
    nlohmann::json cascade_belief;
};

struct ModelsConfig {
    std::vector<ModelEndpoint> models;  // ordered by cost, cheapest first; at least 2
    VerifierConfig verifier;
    MetaVerifierConfig meta_verifier;
    RetryPolicy retry;
    double verifier_cost = 1.0;      // abstract cost of one verification pass (method §4)
    bool run_all_models = false;     // answer with every model, verify every non-final one
    std::string answer_prompt_file;  // "" = the built-in template
    std::string verify_prompt_file;  // "" = the built-in template
    std::string source;              // file name, for messages
};

struct ConfigError : std::runtime_error {
    explicit ConfigError(std::vector<std::string> problems);
    std::vector<std::string> problems;
};

// Parses and validates; throws ConfigError listing every problem. `origin` names the text in
// messages; relative prompt paths resolve against `base_dir`.
ModelsConfig parse_models_config(const std::string& json_text, const std::string& origin,
                                 const std::string& base_dir = ".");
ModelsConfig load_models_config(const std::string& path);

// A models config that runs `method` with `params` live, as `automix eval` trained it: `base`
// (a models config's JSON) keeps its endpoints, prices and options; meta_verifier, call_cost
// per model and verifier_cost are set from the evaluation. A null `base` gives a template
// for `automix serve-replay --port 8431` with the given model names. Throws ConfigError when
// the method is offline-only, the model counts differ or the result does not validate.
nlohmann::json emit_models_config(const nlohmann::json& base, const std::vector<std::string>& model_names,
                                  const std::string& method, const nlohmann::json& params, int num_bins,
                                  const std::vector<double>& call_costs, double verifier_cost, int verifier_k);

// The models config of one trained routing of `ds` (what `automix eval --emit-config`,
// `automix calibrate --emit-config` and the explorer's Deploy… write): emit_models_config
// with the data's model names, the costs of `cfg` (its two numbers stand for the ends of a
// longer ladder: then the data's own costs are kept) and k = the verifier samples of the
// first train row that has any (8 when none). Throws ConfigError like emit_models_config.
nlohmann::json routing_models_config(const nlohmann::json& base, const data::Dataset& ds, const data::View& train_rows,
                                     const std::string& method, const nlohmann::json& params,
                                     const routing::Config& cfg);

// The API key of every model from its env var (or from `typed`, by model name, for keys
// typed into the GUI). Throws ConfigError naming each model whose variable is unset.
std::vector<std::string> resolve_api_keys(const ModelsConfig& cfg,
                                          const std::map<std::string, std::string>& typed = {});

}  // namespace automix::live
