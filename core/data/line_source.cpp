#include "core/data/line_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace automix::data {

namespace {
constexpr std::size_t kChunk = 1u << 20;                // bytes read per refill
constexpr std::size_t kMaxLine = std::size_t{1} << 31;  // a line longer than 2 GiB is refused
}  // namespace

// gzip input is inflated on a second thread, a few chunks ahead of the parser: inflating
// costs about as much CPU as parsing, and the machine has two cores.
struct LineSource::Gz {
    explicit Gz(int fd) : fd(fd) {
        in.resize(1u << 20);
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib initialisation failed");
        worker = std::thread([this] { run(); });
    }
    ~Gz() {
        {
            std::lock_guard<std::mutex> lock(m);
            stop = true;
        }
        cv.notify_all();
        worker.join();
        inflateEnd(&z);
    }

    struct Chunk {
        std::vector<char> bytes;
        std::uint64_t compressed_end = 0;  // compressed bytes consumed once this chunk is done
    };

    // Consumer side: the next chunk's bytes into dst (capacity >= kChunk); 0 at the end.
    std::size_t take(char* dst, std::uint64_t& compressed_done) {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return !ready.empty() || finished; });
        if (ready.empty()) {
            if (error) std::rethrow_exception(error);
            return 0;
        }
        Chunk chunk = std::move(ready.front());
        ready.pop_front();
        std::size_t n = chunk.bytes.size();
        std::memcpy(dst, chunk.bytes.data(), n);
        compressed_done = chunk.compressed_end;
        free_chunks.push_back(std::move(chunk.bytes));
        lock.unlock();
        cv.notify_all();
        return n;
    }

  private:
    void run() {
        try {
            for (;;) {
                std::vector<char> buf;
                {
                    std::unique_lock<std::mutex> lock(m);
                    cv.wait(lock, [&] { return stop || !free_chunks.empty(); });
                    if (stop) break;
                    buf = std::move(free_chunks.back());
                    free_chunks.pop_back();
                }
                buf.resize(kChunk);
                std::size_t n = inflate_into(buf.data(), buf.size());
                buf.resize(n);
                std::lock_guard<std::mutex> lock(m);
                if (n == 0) {
                    finished = true;
                    break;
                }
                ready.push_back({std::move(buf), file_pos - z.avail_in});
                cv.notify_all();
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(m);
            error = std::current_exception();
            finished = true;
        }
        cv.notify_all();
    }

    std::size_t inflate_into(char* dst, std::size_t capacity) {
        z.next_out = reinterpret_cast<Bytef*>(dst);
        z.avail_out = static_cast<uInt>(capacity);
        while (z.avail_out == capacity) {
            if (z.avail_in == 0) {
                ssize_t n;
                do n = ::read(fd, in.data(), in.size());
                while (n < 0 && errno == EINTR);
                if (n < 0) throw std::runtime_error(std::string("read error: ") + std::strerror(errno));
                file_pos += static_cast<std::uint64_t>(n);
                if (n == 0) {
                    if (!stream_end)
                        throw std::runtime_error("truncated gzip file (unexpected end of compressed data)");
                    break;
                }
                z.next_in = in.data();
                z.avail_in = static_cast<uInt>(n);
            }
            if (stream_end) {
                // Concatenated gzip members are one stream (like gunzip does).
                if (inflateReset(&z) != Z_OK) throw std::runtime_error("zlib reset failed");
                stream_end = false;
            }
            int rc = inflate(&z, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                stream_end = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                throw std::runtime_error(std::string("corrupt gzip data: ") + (z.msg ? z.msg : "inflate failed"));
            }
        }
        return capacity - z.avail_out;
    }

    int fd;
    z_stream z{};
    std::vector<unsigned char> in;
    bool stream_end = false;
    std::uint64_t file_pos = 0;

    std::mutex m;
    std::condition_variable cv;
    std::vector<std::vector<char>> free_chunks = std::vector<std::vector<char>>(3);  // up to 3 chunks in flight
    std::deque<Chunk> ready;
    bool finished = false, stop = false;
    std::exception_ptr error;
    std::thread worker;
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

    unsigned char magic[2] = {0, 0};
    ssize_t got = ::pread(fd_, magic, 2, 0);
    if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        try {
            gz_ = std::make_unique<Gz>(fd_);
        } catch (...) {
            ::close(fd_);
            fd_ = -1;
            throw;
        }
    }
}

LineSource::~LineSource() {
    gz_.reset();  // stops the inflating thread before its file closes
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t LineSource::bytes_read() const {
    if (gz_) return gz_consumed_;
    std::uint64_t unread = end_ - begin_;
    return file_pos_ - std::min<std::uint64_t>(unread, file_pos_);
}

std::size_t LineSource::read_plain(char* dst, std::size_t capacity) {
    for (;;) {
        ssize_t n = ::read(fd_, dst, capacity);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(std::string("read error: ") + std::strerror(errno));
        file_pos_ += static_cast<std::uint64_t>(n);
        return static_cast<std::size_t>(n);
    }
}

std::size_t LineSource::fill(char* dst, std::size_t capacity) {
    if (!gz_) return read_plain(dst, capacity);
    return gz_->take(dst, gz_consumed_);
}

bool LineSource::next(Line& line) {
    for (;;) {
        const char* start = buf_.get() + begin_;
        const void* nl = begin_ < end_ ? std::memchr(start, '\n', end_ - begin_) : nullptr;
        if (nl != nullptr || (eof_ && begin_ < end_)) {
            const char* stop = nl ? static_cast<const char*>(nl) : buf_.get() + end_;
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
            std::memmove(buf_.get(), buf_.get() + begin_, pending);
            stream_offset_ += begin_;
            begin_ = 0;
            end_ = pending;
        }
        // gzip chunks arrive whole (up to kChunk); a plain file needs no more than what is left.
        std::size_t room = kChunk;
        if (!gz_) {
            const std::uint64_t left = file_size_ > file_pos_ ? file_size_ - file_pos_ : 0;
            room = static_cast<std::size_t>(std::clamp<std::uint64_t>(left + 1, 4096, kChunk));
        }
        make_room(room);
        std::size_t got = fill(buf_.get() + end_, capacity_ - end_);
        if (got == 0) eof_ = true;
        end_ += got;
    }
}

void LineSource::make_room(std::size_t free_bytes) {
    if (capacity_ - end_ >= free_bytes) return;
    if (end_ >= kMaxLine)
        throw std::runtime_error("line " + std::to_string(line_number_ + 1) + " is longer than 2 GiB");
    const std::size_t capacity = std::max(capacity_ * 2, end_ + free_bytes);
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (end_ > 0) std::memcpy(grown.get(), buf_.get(), end_);
    buf_ = std::move(grown);
    capacity_ = capacity;
}

}  // namespace automix::data
