#include "support_live.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"

namespace live_test {

std::string fixture_path() {
    return std::string(AUTOMIX_TEST_DATA "/live/sample60.jsonl");
}

std::shared_ptr<const automix::data::Dataset> load_fixture() {
    auto r = automix::data::load_file(fixture_path());
    return std::make_shared<const automix::data::Dataset>(std::move(r.dataset));
}

automix::live::ModelsConfig make_config(const std::string& base_url, const ConfigKnobs& k) {
    nlohmann::json small = {{"name", "small"},
                            {"base_url", base_url},
                            {"model", "llama13b"},
                            {"api", k.api},
                            {"price_per_1k_input", 0.5},
                            {"price_per_1k_output", 1.5},
                            {"max_concurrency", k.concurrency},
                            {"timeout_s", k.timeout_s},
                            {"supports_n", k.supports_n}};
    nlohmann::json large = {{"name", "large"},         {"base_url", base_url},
                            {"model", "llama70b"},     {"api", k.api},
                            {"price_per_call", 0.25},  {"max_concurrency", k.concurrency},
                            {"timeout_s", k.timeout_s}};
    if (!k.api_key_env.empty()) {
        small["api_key_env"] = k.api_key_env;
        large["api_key_env"] = k.api_key_env;
    }
    nlohmann::json cfg = {
        {"models", {small, large}},
        {"verifier", {{"k", k.k}, {"temperature", 0.7}}},
        {"meta_verifier", {{"method", "Threshold"}, {"params", k.threshold}}},
        {"retry", {{"max_attempts", k.max_attempts}, {"initial_backoff_s", 0.01}, {"max_backoff_s", 0.05}}},
        {"run_all_models", k.run_all}};
    return automix::live::parse_models_config(cfg.dump(), "test-config");
}

std::string all_file_bytes(const std::string& dir) {
    std::string all;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        all += ss.str();
    }
    return all;
}

}  // namespace live_test
