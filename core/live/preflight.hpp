#pragma once
// Checks every model endpoint of a models config before a run pays for anything: is the
// server reachable, is the key accepted, is the model there. A wrong key, a dead port or a
// misspelt large-model name then costs one request per model instead of one per row.
#include <atomic>
#include <string>
#include <vector>

#include "core/live/models_config.hpp"

namespace automix::live {

struct PreflightCheck {
    std::string model;  // config name
    bool ok = false;
    std::string how;  // "GET /models", "GET /models + 1-token call" or "1-token call"
    long http_status = 0;
    double seconds = 0.0;
    std::string message;  // what was found, or what is wrong and what to do
};

// GET {base_url}/models with the model's key and headers: the model must be listed. When the
// server has no /models route, or does not list the model (llama.cpp lists a file name and
// answers to any), a 1-token completion decides. Endpoints shared by several models are
// asked once per model id. Blocking; `cancel` stops it within ~100 ms.
std::vector<PreflightCheck> preflight(const ModelsConfig& cfg, const std::vector<std::string>& keys,
                                      const std::atomic<bool>* cancel = nullptr);

}  // namespace automix::live
