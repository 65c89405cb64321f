#pragma once
// Shared helpers of the live tests: the loopback fixture data and config builders.
#include <memory>
#include <string>

#include "core/data/dataset.hpp"
#include "core/live/models_config.hpp"

namespace live_test {

// 60 release-format rows (12 per dataset) copied from the oracle sample.
std::string fixture_path();
std::shared_ptr<const automix::data::Dataset> load_fixture();

struct ConfigKnobs {
    int k = 8;
    bool run_all = true;
    bool supports_n = true;
    int concurrency = 8;
    double timeout_s = 10.0;
    double threshold = 0.375;
    std::string api_key_env;  // "" = none
    std::string api = "chat";
    int max_attempts = 6;
};

// A two-model config (llama13b, llama70b served at base_url), parsed by the real parser.
automix::live::ModelsConfig make_config(const std::string& base_url, const ConfigKnobs& knobs = {});

// Every byte of every regular file below `dir` (recursively).
std::string all_file_bytes(const std::string& dir);

}  // namespace live_test
