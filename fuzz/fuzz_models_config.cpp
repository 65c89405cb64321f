// libFuzzer target: the models-config parser. Any input must give a config or a ConfigError;
// an accepted config must satisfy what the parser promises (at least two models, sane limits).
#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::models_config(data, size);
}
