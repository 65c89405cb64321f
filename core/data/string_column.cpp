#include "core/data/string_column.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace automix::data {

namespace {
constexpr std::size_t kMaxChunks = std::size_t{1} << 20;
}

StringColumn::StringColumn(std::initializer_list<std::string_view> texts) {
    rows_.reserve(texts.size());
    for (std::string_view t : texts) push_back(t);
}

StringColumn::StringColumn(const StringColumn& other) {
    // Copies compactly: the texts of the rows, not the chunks' unused or abandoned bytes.
    rows_.reserve(other.rows_.size());
    for (std::size_t r = 0; r < other.size(); ++r) push_back(other[r]);
}

StringColumn& StringColumn::operator=(const StringColumn& other) {
    if (this != &other) {
        StringColumn copy(other);
        *this = std::move(copy);
    }
    return *this;
}

void StringColumn::clear() {
    rows_.clear();
    size_ = 0;
    chunks_.clear();
    open_ = static_cast<std::size_t>(-1);
    used_ = 0;
}

void StringColumn::set(std::size_t row, std::string_view text) {
    if (row >= size_) throw std::out_of_range("StringColumn::set: row out of range");
    if (row >= rows_.size()) {
        if (text.empty()) return;  // stays empty
        rows_.resize(row + 1, 0);
    }
    rows_[row] = store(text);
}

std::uint64_t StringColumn::store(std::string_view text) {
    if (text.empty()) return 0;
    const bool own = text.size() >= kOwnChunkFrom;
    if (own || open_ >= chunks_.size() || chunks_[open_].size - used_ < text.size()) {
        // A long text gets a chunk of exactly its size; shared chunks double up to 4 MiB, so a
        // small column stays small and a large one is a few hundred allocations (the tail of
        // the previous shared chunk is left unused).
        const std::size_t last = open_ >= chunks_.size() ? kFirstChunk / 2 : chunks_[open_].size;
        const std::size_t size = own ? text.size() : std::max(std::min(last * 2, kLargestChunk), text.size());
        if (chunks_.size() >= kMaxChunks) throw std::length_error("text column larger than 4 TiB");
        chunks_.push_back({std::make_unique_for_overwrite<char[]>(size), size});
        if (!own) {
            open_ = chunks_.size() - 1;
            used_ = 0;
        }
    }
    const std::size_t chunk = own ? chunks_.size() - 1 : open_;
    const std::size_t offset = own ? 0 : used_;
    if (!own) used_ += text.size();
    std::memcpy(chunks_[chunk].bytes.get() + offset, text.data(), text.size());
    const std::uint64_t length = own ? kWholeChunk : text.size();
    return (static_cast<std::uint64_t>(chunk) << (kOffsetBits + kLengthBits)) |
           (static_cast<std::uint64_t>(offset) << kLengthBits) | length;
}

std::size_t StringColumn::bytes_used() const {
    std::size_t n = rows_.size() * sizeof(std::uint64_t) + chunks_.size() * sizeof(Chunk);
    // The open chunk counts as far as it is filled: its tail was never touched.
    for (std::size_t i = 0; i < chunks_.size(); ++i) n += i == open_ ? used_ : chunks_[i].size;
    return n;
}

bool operator==(const StringColumn& a, const StringColumn& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

bool operator==(const StringColumn& a, const std::vector<std::string>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace automix::data
