#include "core/data/line_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace automix::data {

namespace {
// Bytes read per refill: kChunk, or for a plain file a 1/4096 of its size if that is less (down
// to kSmallestChunk): the seven chunks in flight then stay near 0.2 % of the file (a 125 MB
// file's load peaks 0.7 MB lower than with 1/1024, for the same load time), and a large file
// keeps the big chunks that hand over less often.
constexpr std::size_t kChunk = 1u << 20;
constexpr std::size_t kSmallestChunk = 1u << 15;
constexpr std::size_t kMaxLine = std::size_t{1} << 31;  // a line longer than 2 GiB is refused
// A line still open after this many bytes is checked for bytes no JSON line can hold, so a
// gzip bomb of NULs (or of text that does not start with '{') fails at once instead of
// growing a 1 GiB buffer first. Shorter lines skip the check: the parser finds the same error.
constexpr std::size_t kLongLine = 1u << 20;
// Room before a chunk's bytes for the unfinished line of the chunk before: a line that fits is
// moved there and the chunk is parsed where the reading thread put it. Longer lines are
// assembled in a buffer of their own.
constexpr std::size_t kHeadroom = 1u << 16;

// A file larger than half of this is dropped from the page cache as it is read: streamed
// through whole, it would push out everything else cached, the explorer's own code included,
// whose page faults then waited behind the load's reads (a GUI thread stalled 1.3 s on one).
std::uint64_t physical_memory() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)
                                 : std::numeric_limits<std::uint64_t>::max();
}

// Raw control bytes other than tab and CR are invalid anywhere in a JSON line.
bool invalid_in_json(unsigned char c) {
    return c < 0x20 && c != '\t' && c != '\r';
}
}  // namespace

// The input is read (and gzip input inflated) and hashed on a second thread, a few chunks
// ahead of the parser: reading, inflating and hashing together cost about as much CPU as
// parsing, and the machine has two cores. The hash covers exactly the bytes handed out.
struct LineSource::Producer {
    // `prefix`: bytes already read from fd (a pipe's first bytes) that start the stream.
    // Chunks of `chunk` bytes (at most; see LineSource::chunk_size).
    // A pipe's chunk is what one read gives (its lines should not wait for a full chunk).
    Producer(int fd, std::string_view prefix, bool gzip, bool hash, std::size_t chunk, bool regular,
             bool tolerate_truncation, bool drop_behind)
        : fd(fd), gzip(gzip), regular(regular), drop_behind(drop_behind), chunk_size(chunk),
          tolerate_truncation(tolerate_truncation) {
        if (hash) sha = std::make_unique<io::Sha256>();
        if (gzip) {
            in.resize(1u << 20);
            if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib initialisation failed");
            z_ready = true;
            std::memcpy(in.data(), prefix.data(), prefix.size());
            z.next_in = in.data();
            z.avail_in = static_cast<uInt>(prefix.size());
        } else {
            pending_prefix.assign(prefix);
        }
        file_pos = prefix.size();
        worker = std::thread([this] { run(); });
    }
    ~Producer() {
        {
            std::lock_guard<std::mutex> lock(m);
            stop = true;
        }
        stopping.store(true);
        cv.notify_all();
        worker.join();
        if (z_ready) inflateEnd(&z);
    }
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    // Consumer side: the next chunk, handed over whole (no copy); its bytes start kHeadroom
    // bytes in, so that the consumer can put the rest of an unfinished line in front of them.
    // Null at the end. `file_done`: bytes of the file (compressed bytes for gzip) behind the
    // chunks taken so far. Every chunk taken goes back through give_back() once parsed.
    std::unique_ptr<char[]> take(std::size_t& size, std::uint64_t& file_done) {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return !ready.empty() || finished; });
        if (ready.empty()) {
            if (error) std::rethrow_exception(error);
            size = 0;
            return nullptr;
        }
        Chunk chunk = std::move(ready.front());
        ready.pop_front();
        size = chunk.size;
        file_done = chunk.file_end;
        return std::move(chunk.bytes);
    }
    // Gives a chunk back without taking another (the consumer copied it elsewhere).
    void give_back(std::unique_ptr<char[]> chunk) {
        if (!chunk) return;
        {
            std::lock_guard<std::mutex> lock(m);
            free_chunks.push_back(std::move(chunk));
        }
        cv.notify_all();
    }

    // Hex SHA-256 of every byte produced; call once the end was taken ("" when not hashing).
    std::string digest() {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return finished; });
        return sha ? io::hex(sha->finish()) : std::string();
    }

  private:
    struct Chunk {
        std::unique_ptr<char[]> bytes;  // kHeadroom + chunk_size bytes, not zeroed
        std::size_t size = 0;
        std::uint64_t file_end = 0;  // file bytes consumed once this chunk is done
    };

    void run() {
        try {
            for (;;) {
                std::unique_ptr<char[]> buf;
                {
                    std::unique_lock<std::mutex> lock(m);
                    cv.wait(lock, [&] { return stop || !free_chunks.empty(); });
                    if (stop) break;
                    buf = std::move(free_chunks.back());
                    free_chunks.pop_back();
                }
                if (!buf) buf = std::make_unique_for_overwrite<char[]>(kHeadroom + chunk_size);
                char* data = buf.get() + kHeadroom;
                const std::size_t n = gzip ? inflate_into(data, chunk_size) : read_into(data, chunk_size);
                if (sha && n > 0) sha->update(std::string_view(data, n));
                std::lock_guard<std::mutex> lock(m);
                if (n == 0) {
                    finished = true;
                    break;
                }
                ready.push_back({std::move(buf), n, gzip ? file_pos - z.avail_in : file_pos});
                cv.notify_all();
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(m);
            error = std::current_exception();
            finished = true;
        }
        {
            std::lock_guard<std::mutex> lock(m);
            finished = true;
        }
        cv.notify_all();
    }

    // One read(); 0 at the end. A pipe is polled, so that a loader that stops (an error, a
    // cancel) does not wait for a writer that sends nothing.
    ssize_t read_some(char* dst, std::size_t capacity) {
        if (drop_behind && file_pos - dropped >= kDropStep) {
            // Bytes read are parsed already or about to be: out of the page cache with them.
            posix_fadvise(fd, static_cast<off_t>(dropped), static_cast<off_t>(file_pos - dropped), POSIX_FADV_DONTNEED);
            dropped = file_pos;
        }
        for (;;) {
            if (!regular) {
                pollfd p{fd, POLLIN, 0};
                const int r = ::poll(&p, 1, 100);
                if (stopping.load()) return 0;
                if (r == 0 || (r < 0 && errno == EINTR)) continue;
            }
            const ssize_t n = ::read(fd, dst, capacity);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::runtime_error(std::string("read error: ") + std::strerror(errno));
            return n;
        }
    }

    std::size_t read_into(char* dst, std::size_t capacity) {
        if (!pending_prefix.empty()) {
            const std::size_t n = std::min(capacity, pending_prefix.size());
            std::memcpy(dst, pending_prefix.data(), n);
            pending_prefix.erase(0, n);
            return n;
        }
        std::size_t got = 0;  // whole chunks of a regular file
        while (got < capacity) {
            ssize_t n = read_some(dst + got, capacity - got);
            if (n == 0) break;
            got += static_cast<std::size_t>(n);
            file_pos += static_cast<std::uint64_t>(n);
            if (!regular) break;
        }
        return got;
    }

    std::size_t inflate_into(char* dst, std::size_t capacity) {
        z.next_out = reinterpret_cast<Bytef*>(dst);
        z.avail_out = static_cast<uInt>(capacity);
        while (z.avail_out == capacity) {
            if (z.avail_in == 0) {
                const ssize_t n = read_some(reinterpret_cast<char*>(in.data()), in.size());
                file_pos += static_cast<std::uint64_t>(n);
                if (n == 0) {
                    if (!stream_end) {
                        if (!tolerate_truncation)
                            throw std::runtime_error("truncated gzip file (unexpected end of compressed data)");
                        truncated.store(true);  // what was inflated so far still goes out
                    }
                    break;
                }
                z.next_in = in.data();
                z.avail_in = static_cast<uInt>(n);
            }
            if (stream_end && (padding || z.next_in[0] == 0)) {
                // Zero bytes after the last member (tape blocks, preallocated files) are padding,
                // as gunzip treats them; anything after the padding is not.
                padding = true;
                while (z.avail_in > 0 && z.next_in[0] == 0) ++z.next_in, --z.avail_in;
                if (z.avail_in > 0)
                    throw std::runtime_error("unexpected data after the zero padding that follows the gzip stream");
                continue;
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
    bool gzip;
    bool regular;
    bool drop_behind;
    std::uint64_t dropped = 0;  // file bytes before this were dropped from the page cache
    static constexpr std::uint64_t kDropStep = 64u << 20;
    std::size_t chunk_size;
    bool tolerate_truncation;

  public:
    std::atomic<bool> truncated{false};  // set before the end is handed out

  private:
    z_stream z{};
    bool z_ready = false;
    std::vector<unsigned char> in;
    std::string pending_prefix;
    bool stream_end = false;
    bool padding = false;
    std::uint64_t file_pos = 0;
    std::unique_ptr<io::Sha256> sha;  // touched by the worker only, until `finished`

    std::atomic<bool> stopping{false};  // `stop`, readable without the lock
    std::mutex m;
    std::condition_variable cv;
    // 2 read ahead, 1 being cut into lines, and those held by line batches (allocated when first
    // needed: each is a megabyte of RSS).
    std::vector<std::unique_ptr<char[]>> free_chunks = std::vector<std::unique_ptr<char[]>>(3 + kMaxHeldBatches);
    std::deque<Chunk> ready;
    bool finished = false, stop = false;
    std::exception_ptr error;
    std::thread worker;
};

// A buffer that lines of a batch are in, once the source has moved on to another: freed, or
// given back to the reading thread, when the last batch holding it is given back.
struct LineSource::Hold {
    Producer* producer = nullptr;
    std::unique_ptr<char[]> bytes;
    bool own = false;
    Hold() = default;
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold() {
        if (bytes && !own && producer) producer->give_back(std::move(bytes));
    }
};

void LineSource::retire(std::unique_ptr<char[]> old, bool own) {
    if (hold_) {
        hold_->producer = producer_.get();
        hold_->bytes = std::move(old);
        hold_->own = own;
        hold_.reset();
        return;
    }
    if (!own) producer_->give_back(std::move(old));
}

LineSource::LineSource(const std::string& path, const std::function<void()>& while_waiting) {
    // O_NONBLOCK: opening a FIFO that has no writer yet must not block (a GUI could then
    // neither cancel the load nor close). Reads are made blocking again below.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) throw std::runtime_error(std::strerror(errno));
    try {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) throw std::runtime_error(std::strerror(errno));
        if (S_ISDIR(st.st_mode)) throw std::runtime_error("is a directory");
        regular_ = S_ISREG(st.st_mode);
        file_size_ = regular_ ? static_cast<std::uint64_t>(st.st_size) : 0;

        unsigned char magic[2] = {0, 0};
        std::size_t got = 0;
        if (regular_) {
            posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
            const ssize_t n = ::pread(fd_, magic, 2, 0);
            got = n > 0 ? static_cast<std::size_t>(n) : 0;
        } else {
            // A pipe cannot be re-read: sniff by reading, and hand these bytes out first. Until
            // a writer sends something, ask every 100 ms whether to go on waiting.
            while (got < 2) {
                pollfd p{fd_, POLLIN, 0};
                const int r = ::poll(&p, 1, 100);
                if (r < 0 && errno == EINTR) continue;
                if (r == 0) {
                    if (while_waiting) while_waiting();
                    continue;
                }
                const ssize_t n = ::read(fd_, magic + got, 2 - got);
                if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
                if (n <= 0) break;
                got += static_cast<std::size_t>(n);
            }
            prefix_.assign(reinterpret_cast<const char*>(magic), got);
        }
        if (const int flags = ::fcntl(fd_, F_GETFL); flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
        gzip_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    } catch (...) {
        ::close(fd_);
        fd_ = -1;
        throw;
    }
}

LineSource::~LineSource() {
    hold_.reset();
    producer_.reset();  // stops the reading thread before its file closes
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t LineSource::bytes_read() const {
    if (gzip_) return file_done_;
    std::uint64_t unread = end_ - begin_;
    return file_done_ - std::min<std::uint64_t>(unread, file_done_);
}

std::size_t LineSource::chunk_size() const {
    if (gzip_ || !regular_) return kChunk;  // size unknown (inflated) or none
    if (file_size_ < kSmallestChunk) return static_cast<std::size_t>(std::max<std::uint64_t>(file_size_ + 1, 4096));
    return static_cast<std::size_t>(std::clamp<std::uint64_t>(file_size_ / 4096, kSmallestChunk, kChunk));
}

void LineSource::start() {
    if (producer_) return;
    try {
        producer_ = std::make_unique<Producer>(fd_, prefix_, gzip_, hash_, chunk_size(), regular_, tolerate_truncation_,
                                               regular_ && file_size_ > physical_memory() / 2);
    } catch (const std::system_error& e) {  // no thread to be had
        throw std::runtime_error(std::string("cannot start the reading thread: ") + e.what());
    }
    prefix_.clear();
}


bool LineSource::truncated() const {
    return producer_ && producer_->truncated.load();
}

std::string LineSource::content_sha256() {
    if (!hash_) return {};
    start();
    return producer_->digest();
}

bool LineSource::next(Line& line) {
    if (skipping_ && !skip_to_newline()) return false;
    for (;;) {
        if (take_line(line)) return true;
        if (eof_) return false;
        refill();
    }
}

bool LineSource::next_batch(LineBatch& batch, std::size_t max_lines) {
    batch.lines.clear();
    Line line;
    if (!next(line)) return false;
    batch.lines.push_back(line);
    // Only what is already read: the batch's lines are all in buf_, which it keeps alive.
    while (batch.lines.size() < max_lines && !skipping_ && take_line(line)) batch.lines.push_back(line);
    if (!hold_) hold_ = std::make_shared<Hold>();
    batch.holds.push_back(hold_);
    return true;
}

void LineSource::give_back(LineBatch& batch) {
    batch.lines.clear();
    batch.holds.clear();
}

bool LineSource::take_line(Line& line) {
    const char* start = buf_.get() + begin_;
    const std::size_t pending = end_ - begin_;
    // Only the bytes that arrived since the last look are searched: a long line costs
    // linear time, not one rescan per refill.
    const void* nl = scanned_ < pending ? std::memchr(start + scanned_, '\n', pending - scanned_) : nullptr;
    scanned_ = pending;
    std::size_t cut = 0;  // > 0: the line is known to be invalid and ends after `cut` bytes
    if (nl == nullptr && !eof_ && pending >= kLongLine) cut = invalid_prefix(start, pending);
    if (nl == nullptr && cut == 0 && !(eof_ && begin_ < end_)) return false;
    const char* stop = cut > 0 ? start + cut : nl ? static_cast<const char*>(nl) : buf_.get() + end_;
    std::size_t len = static_cast<std::size_t>(stop - start);
    std::uint64_t offset = stream_offset_ + begin_;
    if (cut > 0) {
        begin_ = end_;  // the rest of the window belongs to this line too
        skipping_ = true;
    } else {
        begin_ += len + (nl ? 1 : 0);
        if (len > 0 && start[len - 1] == '\r') --len;
    }
    scanned_ = checked_ = lead_ = 0;
    lead_ok_ = false;
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

// Length of the prefix of a long, still open line that already shows it cannot be JSON
// (through its first offending byte), or 0. The parser reports that byte exactly as it would
// in the whole line: it reads left to right and cannot get past it.
std::size_t LineSource::invalid_prefix(const char* start, std::size_t pending) {
    if (!lead_ok_) {  // the line must start with '{' (after a first-line BOM and whitespace)
        std::size_t i = lead_;
        if (line_number_ == 0 && i == 0 && pending >= 3 && std::memcmp(start, "\xEF\xBB\xBF", 3) == 0) i = 3;
        while (i < pending && (start[i] == ' ' || start[i] == '\t' || start[i] == '\r')) ++i;
        lead_ = i;
        if (i == pending) return 0;
        if (start[i] != '{') return i + 1;
        lead_ok_ = true;
    }
    for (std::size_t j = std::max(checked_, lead_); j < pending; ++j)
        if (invalid_in_json(static_cast<unsigned char>(start[j]))) return j + 1;
    checked_ = pending;
    return 0;
}

// Reads the next chunk. The unfinished line goes in front of it: into the chunk's headroom
// when it fits, so the chunk is parsed where the reading thread put it (no copy of the
// chunk); a longer line is assembled in a buffer of our own that grows with it.
void LineSource::refill() {
    start();
    std::size_t got = 0;
    std::unique_ptr<char[]> chunk = producer_->take(got, file_done_);
    if (!chunk) {
        eof_ = true;  // the unfinished line stays where it is
        if (on_refill) on_refill();
        return;
    }
    const std::size_t pending = end_ - begin_;
    const char* rest = buf_.get() + begin_;
    if (pending <= kHeadroom) {
        const std::size_t at = kHeadroom - pending;
        if (pending > 0) std::memcpy(chunk.get() + at, rest, pending);
        // Wraps below zero for the first chunk: only stream_offset_ + begin_ is ever used, and
        // unsigned arithmetic keeps that sum exact.
        stream_offset_ += begin_ - at;
        retire(std::exchange(buf_, std::move(chunk)), own_buffer_);
        own_buffer_ = false;
        capacity_ = kHeadroom + got;
        begin_ = at;
        end_ = kHeadroom + got;
    } else {
        if (!own_buffer_ || hold_) {  // (a held buffer is not written to)
            auto own = std::make_unique_for_overwrite<char[]>(std::max(2 * pending, pending + got));
            std::memcpy(own.get(), rest, pending);
            retire(std::exchange(buf_, std::move(own)), own_buffer_);
            capacity_ = std::max(2 * pending, pending + got);
            own_buffer_ = true;
        } else if (begin_ > 0) {
            std::memmove(buf_.get(), rest, pending);
        }
        stream_offset_ += begin_;
        begin_ = 0;
        end_ = pending;
        make_room(got);
        std::memcpy(buf_.get() + end_, chunk.get() + kHeadroom, got);
        end_ += got;
        producer_->give_back(std::move(chunk));
    }
    if (on_refill) on_refill();
}

// After a cut line: drops input up to and including its '\n'.
bool LineSource::skip_to_newline() {
    for (;;) {
        const char* start = buf_.get() + begin_;
        const void* nl = begin_ < end_ ? std::memchr(start, '\n', end_ - begin_) : nullptr;
        if (nl != nullptr) {
            begin_ += static_cast<std::size_t>(static_cast<const char*>(nl) - start) + 1;
            skipping_ = false;
            return true;
        }
        stream_offset_ += end_;
        begin_ = end_ = 0;
        if (eof_) {
            skipping_ = false;
            return false;
        }
        refill();
    }
}

void LineSource::make_room(std::size_t free_bytes) {
    if (capacity_ - end_ >= free_bytes) return;
    if (end_ >= kMaxLine)
        throw std::runtime_error("line " + std::to_string(line_number_ + 1) + " is longer than 2 GiB");
    const std::size_t capacity = std::max(capacity_ * 2, end_ + free_bytes);
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (end_ > 0) std::memcpy(grown.get(), buf_.get(), end_);
    retire(std::exchange(buf_, std::move(grown)), true);
    capacity_ = capacity;
}

}  // namespace automix::data
