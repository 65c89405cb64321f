#pragma once
// A file that lazily read columns point into: the loaded input itself (kept open, so a later
// rename does not matter) or an unlinked temporary file that the loader spills raw JSON
// tokens to (compressed or piped input, which cannot be read at random offsets).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace automix::data {

class RawFile {
  public:
    // Takes ownership of `fd` (read with pread only, so its file offset may be shared).
    static std::shared_ptr<RawFile> adopt(int fd);
    // An anonymous temporary file, removed when the last user goes away; fill with append().
    static std::shared_ptr<RawFile> temporary();
    ~RawFile();
    RawFile(const RawFile&) = delete;
    RawFile& operator=(const RawFile&) = delete;

    // Appends bytes and returns their offset (temporary files; one writer at a time).
    std::uint64_t append(std::string_view bytes);
    // The bytes at [offset, offset + length), or "" when the file no longer has them all
    // (truncated by someone else: nothing rather than garbage). Safe from any thread.
    std::string read(std::uint64_t offset, std::uint32_t length) const;

  private:
    explicit RawFile(int fd) : fd_(fd) {}
    int fd_ = -1;
    std::uint64_t append_pos_ = 0;
};

}  // namespace automix::data
