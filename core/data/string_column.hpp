#pragma once
// A column of texts kept in a few large chunks instead of one heap string per row: one 64-bit
// word per row says where its bytes are. A million questions are then a handful of
// allocations to make and free, and no per-string header or malloc overhead (which was most
// of a loaded file's memory). Reading gives a string_view into the chunk; writing appends
// (set() leaves the old bytes unused, which only the rare edits of a live run do).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace automix::data {

class StringColumn {
  public:
    StringColumn() = default;
    StringColumn(std::initializer_list<std::string_view> texts);
    StringColumn(const StringColumn& other);
    StringColumn& operator=(const StringColumn& other);
    StringColumn(StringColumn&&) noexcept = default;
    StringColumn& operator=(StringColumn&&) noexcept = default;

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    void reserve(std::size_t n) { rows_.reserve(n); }
    void clear();
    // New rows are empty texts; shrinking keeps the bytes of the dropped rows until clear().
    void resize(std::size_t n) {
        if (n < rows_.size()) rows_.resize(n);
        size_ = n;
    }

    void push_back(std::string_view text) {
        if (!text.empty()) {
            rows_.resize(size_, 0);  // the empty rows before this one
            rows_.push_back(store(text));
        }
        ++size_;
    }
    void emplace_back() { ++size_; }
    void set(std::size_t row, std::string_view text);

    // const: `column[r] = text` must not compile (it would assign to a temporary); use set().
    const std::string_view operator[](std::size_t row) const {
        return row < rows_.size() ? view(rows_[row]) : std::string_view();
    }
    std::string_view back() const { return (*this)[size_ - 1]; }

    // Bytes in use: the row words and the chunks (for memory figures; reserved but untouched
    // capacity is address space, not RAM, and is not counted).
    std::size_t bytes_used() const;

    class const_iterator {
      public:
        using iterator_category = std::random_access_iterator_tag;
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = std::string_view;
        const_iterator() = default;
        const_iterator(const StringColumn* c, std::size_t i) : c_(c), i_(i) {}
        std::string_view operator*() const { return (*c_)[i_]; }
        std::string_view operator[](difference_type n) const { return (*c_)[i_ + static_cast<std::size_t>(n)]; }
        const_iterator& operator++() { return ++i_, *this; }
        const_iterator operator++(int) { auto t = *this; ++i_; return t; }
        const_iterator& operator--() { return --i_, *this; }
        const_iterator operator--(int) { auto t = *this; --i_; return t; }
        const_iterator& operator+=(difference_type n) { return i_ += static_cast<std::size_t>(n), *this; }
        const_iterator& operator-=(difference_type n) { return i_ -= static_cast<std::size_t>(n), *this; }
        friend const_iterator operator+(const_iterator a, difference_type n) { return a += n; }
        friend const_iterator operator+(difference_type n, const_iterator a) { return a += n; }
        friend const_iterator operator-(const_iterator a, difference_type n) { return a -= n; }
        friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
            return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
        }
        friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }
        friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.i_ <=> b.i_; }

      private:
        const StringColumn* c_ = nullptr;
        std::size_t i_ = 0;
    };
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size_}; }

    friend bool operator==(const StringColumn& a, const StringColumn& b);
    friend bool operator==(const StringColumn& a, const std::vector<std::string>& b);

  private:
    // A row's word: chunk (20 bits) | offset in the chunk (22 bits) | length (22 bits).
    // A text too long for a shared chunk gets a chunk of its own, and the length field then
    // holds kWholeChunk: the text is the whole chunk.
    static constexpr unsigned kOffsetBits = 22, kLengthBits = 22;
    static constexpr std::uint64_t kWholeChunk = (std::uint64_t{1} << kLengthBits) - 1;
    static constexpr std::size_t kFirstChunk = 256, kLargestChunk = std::size_t{1} << kOffsetBits;  // 4 MiB
    static constexpr std::size_t kOwnChunkFrom = 256 * 1024;  // texts this long get their own chunk

    struct Chunk {
        std::unique_ptr<char[]> bytes;
        std::size_t size = 0;  // capacity; for an own chunk, the text's length
    };

    std::uint64_t store(std::string_view text);
    std::string_view view(std::uint64_t word) const {
        const std::uint64_t length = word & kWholeChunk;
        if (length == 0) return {};
        const Chunk& c = chunks_[word >> (kOffsetBits + kLengthBits)];
        const std::size_t offset = (word >> kLengthBits) & ((std::uint64_t{1} << kOffsetBits) - 1);
        return {c.bytes.get() + offset, length == kWholeChunk ? c.size : static_cast<std::size_t>(length)};
    }

    // Words of the rows up to the last one with a text: the rows after it are empty and not
    // stored, so a column that no row fills (a release file's unknown fields) costs nothing.
    std::vector<std::uint64_t> rows_;
    std::size_t size_ = 0;  // rows, stored or not
    std::vector<Chunk> chunks_;
    std::size_t open_ = static_cast<std::size_t>(-1);  // the shared chunk being filled
    std::size_t used_ = 0;                             // bytes used in it
};

}  // namespace automix::data
