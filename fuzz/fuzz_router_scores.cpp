// libFuzzer target: the router-scores reader (CSV and JSONL).
#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::router_scores(data, size);
}
