// libFuzzer target: parsing of a completion response body. The first byte picks the API and
// how many choices are expected; the parser must never throw and must honour that count.
#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::http_response(data, size);
}
