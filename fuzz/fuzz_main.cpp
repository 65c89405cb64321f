// The libFuzzer entry point of every target in fuzz::kTargets: the fuzz build compiles this file
// once per target with AUTOMIX_FUZZ_TARGET set to the target's name (fuzz/CMakeLists.txt).
#include <cstdlib>

#include "fuzz/fuzz_targets.hpp"

#ifndef AUTOMIX_FUZZ_TARGET
#error "compile with -DAUTOMIX_FUZZ_TARGET=\"name\""
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fuzz::Target* const target = fuzz::find_target(AUTOMIX_FUZZ_TARGET);
    if (!target) std::abort();  // a name in fuzz/corpus/ without an entry in kTargets
    return target->run(data, size);
}
