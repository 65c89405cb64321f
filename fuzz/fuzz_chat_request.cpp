// libFuzzer target: `automix serve`'s request parser. A body either parses to a question that
// can be answered or gets a 4xx OpenAI error object; nothing throws.
#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::chat_request(data, size);
}
