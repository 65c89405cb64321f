// libFuzzer target: opening a response cache whose calls.log holds arbitrary records. Lines
// starting with '!' are written as they are; every other line gets its correct CRC-32
// prefix, so the fuzzer reaches the record parser instead of stopping at the checksum.
// After opening, the cache must hold only records that decode, and the file must be clean:
// reopening it gives the same records and no warnings.
#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::cache_reader(data, size);
}
