#include "core/data/context_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/data/json_scan.hpp"

namespace automix::data {

// pread rather than a long-lived mmap: a file truncated by someone else while we
// hold it gives a short read (an empty context) instead of SIGBUS, and pages we
// read do not accumulate in our resident set.
std::shared_ptr<FileContextStore> FileContextStore::open_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::strerror(errno));
    return std::shared_ptr<FileContextStore>(new FileContextStore(fd));
}

std::shared_ptr<FileContextStore> FileContextStore::temporary() {
    const char* dir = std::getenv("TMPDIR");
    std::string base = dir && *dir ? dir : "/tmp";
    int fd = ::open(base.c_str(), O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
    if (fd < 0) {
        // O_TMPFILE is not supported everywhere; fall back to create + unlink.
        std::string name = base + "/automix-contexts-XXXXXX";
        fd = ::mkostemp(name.data(), O_CLOEXEC);
        if (fd < 0)
            throw std::runtime_error("cannot create a temporary file for contexts: " +
                                     std::string(std::strerror(errno)));
        ::unlink(name.c_str());
    }
    return std::shared_ptr<FileContextStore>(new FileContextStore(fd));
}

FileContextStore::~FileContextStore() {
    if (fd_ >= 0) ::close(fd_);
}

void FileContextStore::set(RowIndex row, std::uint64_t offset, std::uint32_t length) {
    if (offset_.size() <= row) {
        offset_.resize(row + 1, 0);
        length_.resize(row + 1, 0);
    }
    offset_[row] = offset;
    length_[row] = length;
}

void FileContextStore::append(RowIndex row, std::string_view raw) {
    const char* p = raw.data();
    std::size_t left = raw.size();
    std::uint64_t at = append_pos_;
    while (left > 0) {
        ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(append_pos_));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw std::runtime_error("cannot write contexts to the temporary file: " +
                                     std::string(std::strerror(errno)));
        p += n;
        left -= static_cast<std::size_t>(n);
        append_pos_ += static_cast<std::uint64_t>(n);
    }
    set(row, at, static_cast<std::uint32_t>(raw.size()));
}

void FileContextStore::resize(std::size_t rows) {
    offset_.resize(rows, 0);
    length_.resize(rows, 0);
}

bool FileContextStore::has_context(RowIndex row) const {
    return row < length_.size() && length_[row] > 0;
}

std::string FileContextStore::raw_token(RowIndex row) const {
    if (!has_context(row)) return {};
    std::string raw(length_[row], '\0');
    std::size_t done = 0;
    while (done < raw.size()) {
        ssize_t n = ::pread(fd_, raw.data() + done, raw.size() - done, static_cast<off_t>(offset_[row] + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return {};  // file changed under us: show nothing rather than garbage
        done += static_cast<std::size_t>(n);
    }
    return raw;
}

std::string FileContextStore::context(RowIndex row) const {
    std::string raw = raw_token(row);
    return raw.empty() ? std::string() : json::decode_raw_string(raw);
}

std::uint64_t FileContextStore::bytes_referenced() const {
    std::uint64_t total = 0;
    for (auto l : length_) total += l;
    return total;
}

}  // namespace automix::data
