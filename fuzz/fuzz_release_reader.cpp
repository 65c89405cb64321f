// libFuzzer target: the JSONL reader on arbitrary bytes (release format seeds; gzip and the
// native format are reachable too, since both are detected from the bytes). Strict mode may
// only throw LoadError; so may lenient mode, and whatever loads is internally consistent.
#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::release_reader(data, size);
}
