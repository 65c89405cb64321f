#include "core/data/line_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace automix::data {

namespace {
constexpr std::size_t kChunk = 1u << 20;                 // bytes read per refill
constexpr std::size_t kMaxLine = std::size_t{1} << 31;  // a line longer than 2 GiB is refused
}  // namespace

struct LineSource::Gz {
    z_stream z{};
    std::vector<unsigned char> in;
    bool stream_end = false;
    ~Gz() { inflateEnd(&z); }
};

LineSource::LineSource(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error(S_ISDIR(st.st_mode) ? "is a directory" : std::strerror(errno));
    }
    file_size_ = static_cast<std::uint64_t>(st.st_size);
    posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    buf_.resize(kChunk * 2);

    unsigned char magic[2] = {0, 0};
    ssize_t got = ::pread(fd_, magic, 2, 0);
    if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        gz_ = std::make_unique<Gz>();
        gz_->in.resize(1u << 20);
        if (inflateInit2(&gz_->z, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib initialisation failed");
    }
}

LineSource::~LineSource() {
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t LineSource::bytes_read() const {
    if (gz_) return file_pos_ - gz_->z.avail_in;
    std::uint64_t unread = end_ - begin_;
    return file_pos_ - std::min<std::uint64_t>(unread, file_pos_);
}

std::size_t LineSource::fill(char* dst, std::size_t capacity) {
    if (!gz_) {
        for (;;) {
            ssize_t n = ::read(fd_, dst, capacity);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::runtime_error(std::string("read error: ") + std::strerror(errno));
            file_pos_ += static_cast<std::uint64_t>(n);
            return static_cast<std::size_t>(n);
        }
    }
    z_stream& z = gz_->z;
    z.next_out = reinterpret_cast<Bytef*>(dst);
    z.avail_out = static_cast<uInt>(capacity);
    while (z.avail_out == capacity) {
        if (z.avail_in == 0) {
            ssize_t n;
            do n = ::read(fd_, gz_->in.data(), gz_->in.size());
            while (n < 0 && errno == EINTR);
            if (n < 0) throw std::runtime_error(std::string("read error: ") + std::strerror(errno));
            file_pos_ += static_cast<std::uint64_t>(n);
            if (n == 0) {
                if (!gz_->stream_end) throw std::runtime_error("truncated gzip file (unexpected end of compressed data)");
                break;
            }
            z.next_in = gz_->in.data();
            z.avail_in = static_cast<uInt>(n);
        }
        if (gz_->stream_end) {
            // Concatenated gzip members are one stream (like gunzip does).
            if (inflateReset(&z) != Z_OK) throw std::runtime_error("zlib reset failed");
            gz_->stream_end = false;
        }
        int rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            gz_->stream_end = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            throw std::runtime_error(std::string("corrupt gzip data: ") + (z.msg ? z.msg : "inflate failed"));
        }
    }
    return capacity - z.avail_out;
}

bool LineSource::next(Line& line) {
    for (;;) {
        const char* start = buf_.data() + begin_;
        const void* nl = begin_ < end_ ? std::memchr(start, '\n', end_ - begin_) : nullptr;
        if (nl != nullptr || (eof_ && begin_ < end_)) {
            const char* stop = nl ? static_cast<const char*>(nl) : buf_.data() + end_;
            std::size_t len = static_cast<std::size_t>(stop - start);
            std::uint64_t offset = stream_offset_ + begin_;
            begin_ += len + (nl ? 1 : 0);
            if (len > 0 && start[len - 1] == '\r') --len;
            ++line_number_;
            if (line_number_ == 1 && len >= 3 && std::memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
                start += 3;
                len -= 3;
                offset += 3;
            }
            line.text = std::string_view(start, len);
            line.offset = offset;
            line.number = line_number_;
            return true;
        }
        if (eof_) return false;
        // Move the partial line to the front and read more; grow for long lines.
        std::size_t pending = end_ - begin_;
        if (begin_ > 0) {
            std::memmove(buf_.data(), buf_.data() + begin_, pending);
            stream_offset_ += begin_;
            begin_ = 0;
            end_ = pending;
        }
        if (buf_.size() - end_ < kChunk) {
            if (buf_.size() >= kMaxLine) throw std::runtime_error("line " + std::to_string(line_number_ + 1) + " is longer than 2 GiB");
            buf_.resize(buf_.size() * 2);
        }
        std::size_t got = fill(buf_.data() + end_, buf_.size() - end_);
        if (got == 0) eof_ = true;
        end_ += got;
    }
}

}  // namespace automix::data
