#pragma once
// SHA-256 (FIPS 180-4), used to content-address cached calls. Small and dependency-free so
// core does not need OpenSSL just for hashing.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace automix::live {

class Sha256 {
  public:
    Sha256();
    void update(std::string_view bytes);
    std::array<std::uint8_t, 32> finish();

  private:
    void block(const std::uint8_t* p);
    std::array<std::uint32_t, 8> h_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

// Lower-case hex digest of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace automix::live
