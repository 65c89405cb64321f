#pragma once
// A private scratch directory per fuzzing process (on /dev/shm when there is one, so the
// file round trip per input stays cheap), for targets whose entry point takes a path.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace fuzz {

inline const std::string& scratch_dir() {
    struct Dir {
        std::string path;
        ~Dir() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    };
    static const Dir dir{[] {
        std::string pattern = (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        pattern += "/automix-fuzz-XXXXXX";
        if (!mkdtemp(pattern.data())) std::abort();
        return pattern;
    }()};
    return dir.path;
}

inline std::string write_scratch(const std::string& name, const std::uint8_t* data, std::size_t size) {
    const std::string path = scratch_dir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) std::abort();
    return path;
}

// Invariant violations must stop the fuzzer like a crash does.
inline void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace fuzz
