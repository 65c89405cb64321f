// libFuzzer target: the native manifest line (depth, numbers, duplicate keys, costs, model
// counts), followed by two fixed rows.
#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::native_manifest(data, size);
}
