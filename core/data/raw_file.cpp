#include "core/data/raw_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace automix::data {

// pread rather than a long-lived mmap: a file truncated by someone else while we hold it
// gives a short read instead of SIGBUS, and pages we read do not accumulate in our resident set.
std::shared_ptr<RawFile> RawFile::adopt(int fd) {
    if (fd < 0) throw std::runtime_error(std::strerror(errno));
    return std::shared_ptr<RawFile>(new RawFile(fd));
}

std::shared_ptr<RawFile> RawFile::temporary() {
    const char* dir = std::getenv("TMPDIR");
    std::string base = dir && *dir ? dir : "/tmp";
    int fd = ::open(base.c_str(), O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
    if (fd < 0) {
        // O_TMPFILE is not supported everywhere; fall back to create + unlink.
        std::string name = base + "/automix-spill-XXXXXX";
        fd = ::mkostemp(name.data(), O_CLOEXEC);
        if (fd < 0)
            throw std::runtime_error("cannot create a temporary file for contexts and samples: " +
                                     std::string(std::strerror(errno)));
        ::unlink(name.c_str());
    }
    return std::shared_ptr<RawFile>(new RawFile(fd));
}

RawFile::~RawFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t RawFile::append(std::string_view bytes) {
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    const std::uint64_t at = append_pos_;
    while (left > 0) {
        ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(append_pos_));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw std::runtime_error("cannot write to the temporary file: " + std::string(std::strerror(errno)));
        p += n;
        left -= static_cast<std::size_t>(n);
        append_pos_ += static_cast<std::uint64_t>(n);
    }
    return at;
}

std::string RawFile::read(std::uint64_t offset, std::uint32_t length) const {
    std::string raw(length, '\0');
    std::size_t done = 0;
    while (done < raw.size()) {
        ssize_t n = ::pread(fd_, raw.data() + done, raw.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return {};
        done += static_cast<std::size_t>(n);
    }
    return raw;
}

}  // namespace automix::data
