#pragma once
// Reads a plain or gzip file line by line through a bounded buffer, so a large
// file never has to fit in memory (and the page cache does not count as our RSS).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace automix::data {

struct Line {
    std::string_view text;     // without the line terminator (\n or \r\n) and without a BOM
    std::uint64_t offset = 0;  // offset of text[0] in the decompressed stream
    std::size_t number = 0;    // 1-based
};

class LineSource {
  public:
    // Throws std::runtime_error with a readable reason when the file cannot be opened.
    explicit LineSource(const std::string& path);
    ~LineSource();
    LineSource(const LineSource&) = delete;
    LineSource& operator=(const LineSource&) = delete;

    bool next(Line& line);  // false at end of input
    bool compressed() const { return gz_ != nullptr; }
    std::uint64_t bytes_total() const { return file_size_; }
    std::uint64_t bytes_read() const;  // of the file on disk (compressed bytes for .gz)

  private:
    std::size_t fill(char* dst, std::size_t capacity);  // decompressed bytes, 0 at end
    std::size_t read_plain(char* dst, std::size_t capacity);

    struct Gz;
    int fd_ = -1;
    std::uint64_t file_size_ = 0;
    std::uint64_t file_pos_ = 0;
    std::uint64_t gz_consumed_ = 0;  // compressed bytes behind the chunks handed out so far
    std::unique_ptr<Gz> gz_;
    void make_room(std::size_t free_bytes);  // at least that much space after end_

    // Uninitialised and sized to the file: a small file does not pay for zeroing megabytes.
    std::unique_ptr<char[]> buf_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0, end_ = 0;  // unread window of buf_
    std::uint64_t stream_offset_ = 0;  // stream offset of buf_[0]
    std::size_t line_number_ = 0;
    bool eof_ = false;
};

}  // namespace automix::data
