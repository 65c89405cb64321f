// libFuzzer target: the native N-model reader. The first input byte picks the manifest: a
// fixed valid 3-model manifest is put in front of the rest (so mutations go to the rows), or
// the bytes are taken as they are (so the manifest parser is fuzzed too).
#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::native_reader(data, size);
}
