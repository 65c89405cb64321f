#pragma once
// Reads a plain or gzip file line by line through a bounded buffer, so a large
// file never has to fit in memory (and the page cache does not count as our RSS).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/sha256.hpp"

namespace automix::data {

struct Line {
    std::string_view text;     // without the line terminator (\n or \r\n) and without a BOM
    std::uint64_t offset = 0;  // offset of text[0] in the decompressed stream
    std::size_t number = 0;    // 1-based
};

// Complete lines handed out together, for parsing on other threads: their bytes stay valid
// until the batch is given back (LineSource::give_back), whatever the source reads meanwhile.
// At most this many batches may be held at once: their buffers are not read into meanwhile.
inline constexpr std::size_t kMaxHeldBatches = 4;
struct LineBatch {
    std::vector<Line> lines;
    std::vector<std::shared_ptr<void>> holds;  // keep the buffers the lines are in alive
};

class LineSource {
  public:
    // Throws std::runtime_error with a readable reason when the file cannot be opened.
    // Pipes, FIFOs and other special files are read once, front to back, never reopened.
    // `while_waiting` is called every 100 ms while a pipe has sent nothing yet (a FIFO without
    // a writer); it may throw to give up.
    explicit LineSource(const std::string& path, const std::function<void()>& while_waiting = {});
    ~LineSource();
    LineSource(const LineSource&) = delete;
    LineSource& operator=(const LineSource&) = delete;

    bool next(Line& line);  // false at end of input
    // Up to `max_lines` lines (at least one unless at the end of input: false then): the next
    // line, and those after it that are already in the buffer, so the batch does not wait for
    // more input. Every batch must be given back before the LineSource is destroyed.
    bool next_batch(LineBatch& batch, std::size_t max_lines);
    void give_back(LineBatch& batch);
    bool compressed() const { return gzip_; }
    bool regular_file() const { return regular_; }  // false: can be read only once
    std::uint64_t bytes_total() const { return file_size_; }
    std::uint64_t bytes_read() const;  // of the file on disk (compressed bytes for .gz)
    int fd() const { return fd_; }     // the input's descriptor (for pread of a regular file)

    // Called after every refill, so also while one long line is being assembled (progress and
    // cancel checks; it may throw to stop reading).
    std::function<void()> on_refill;
    // SHA-256 of every (decompressed) byte handed out so far: the input exactly as read, so
    // it also describes a pipe or a file that changed while it was read. Off unless asked.
    // Call before the first next(): the reading thread hashes what it reads.
    void hash_content() { hash_ = true; }
    std::string content_sha256();  // lower-case hex; "" unless hash_content() was called
    // Lenient loading: a gzip stream that ends early ends the input there (its last bytes are
    // still handed out) instead of throwing; truncated() then says so once the end was read.
    // Call before the first next().
    void tolerate_truncation() { tolerate_truncation_ = true; }
    bool truncated() const;

  private:
    std::size_t chunk_size() const;
    void start();  // the reading thread

    struct Producer;  // reads (inflates) and hashes on its own thread
    int fd_ = -1;
    std::uint64_t file_size_ = 0;
    std::uint64_t file_done_ = 0;  // file bytes (compressed for gzip) behind the chunks handed out
    bool gzip_ = false;
    bool hash_ = false;
    bool tolerate_truncation_ = false;
    std::unique_ptr<Producer> producer_;  // started by the first read
    void make_room(std::size_t free_bytes);  // at least that much space after end_
    bool take_line(Line& line);  // the next line if the window holds all of it (no refill)
    // Lines of buf_ handed out in a batch keep it alive: hold_ takes it when buf_ is replaced.
    struct Hold;
    std::shared_ptr<Hold> hold_;
    // Frees (or gives back to the reading thread) a buffer being replaced, unless a batch
    // still has lines in it.
    void retire(std::unique_ptr<char[]> old, bool own);

    // The chunk being parsed, as the reading thread filled it (or, for a line longer than a
    // chunk's headroom, a buffer of our own: own_buffer_). Uninitialised memory.
    std::unique_ptr<char[]> buf_;
    bool own_buffer_ = false;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0, end_ = 0;  // unread window of buf_
    std::uint64_t stream_offset_ = 0;  // stream offset of buf_[0]
    std::size_t line_number_ = 0;
    std::size_t scanned_ = 0;  // bytes after begin_ known to hold no '\n' (no rescans on refill)
    std::size_t checked_ = 0;  // bytes after begin_ checked for control bytes (long lines only)
    std::size_t lead_ = 0;     // leading whitespace of the pending line seen so far
    bool lead_ok_ = false;     // the pending line starts with '{'

    bool eof_ = false;
    bool regular_ = true;
    std::string prefix_;  // bytes read to sniff a non-seekable input, handed out first
    bool skipping_ = false;  // the last line was cut short: drop input up to its '\n'
    bool skip_to_newline();  // false at end of input
    std::size_t invalid_prefix(const char* start, std::size_t pending);
    void refill();
};

}  // namespace automix::data
