#include "core/io/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace automix::io {

struct Sha256::Ctx {
    EVP_MD_CTX* md = nullptr;
    Ctx() : md(EVP_MD_CTX_new()) {
        if (md == nullptr || EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1) {
            EVP_MD_CTX_free(md);
            throw std::runtime_error("SHA-256: libcrypto initialisation failed");
        }
    }
    ~Ctx() { EVP_MD_CTX_free(md); }
    Ctx(const Ctx&) = delete;
    Ctx& operator=(const Ctx&) = delete;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view bytes) {
    if (bytes.empty()) return;
    if (EVP_DigestUpdate(ctx_->md, bytes.data(), bytes.size()) != 1)
        throw std::runtime_error("SHA-256: libcrypto update failed");
}

std::array<std::uint8_t, 32> Sha256::finish() {
    std::array<std::uint8_t, 32> out{};
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_->md, out.data(), &n) != 1 || n != out.size() ||
        EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256: libcrypto finalisation failed");
    return out;
}

std::string hex(const std::array<std::uint8_t, 32>& digest) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (const std::uint8_t b : digest) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 h;
    h.update(bytes);
    return hex(h.finish());
}

}  // namespace automix::io
