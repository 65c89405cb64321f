#pragma once
// SHA-256 for the whole program (input hashes in reports, content-addressed live cache keys),
// backed by OpenSSL's libcrypto, which uses the CPU's SHA instructions where it has them.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace automix::io {

class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view bytes);
    // The digest of everything given so far; the object starts over afterwards.
    std::array<std::uint8_t, 32> finish();

  private:
    struct Ctx;
    std::unique_ptr<Ctx> ctx_;
};

// Lower-case hex of a digest.
std::string hex(const std::array<std::uint8_t, 32>& digest);
// Lower-case hex digest of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace automix::io
