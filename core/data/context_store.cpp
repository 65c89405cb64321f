#include "core/data/context_store.hpp"

#include "core/data/json_scan.hpp"

namespace automix::data {

void FileContextStore::set(RowIndex row, std::uint64_t offset, std::uint32_t length) {
    if (offset_.size() <= row) {
        offset_.resize(row + 1, 0);
        length_.resize(row + 1, 0);
    }
    offset_[row] = offset;
    length_[row] = length;
}

void FileContextStore::append(RowIndex row, std::string_view raw) {
    set(row, file_->append(raw), static_cast<std::uint32_t>(raw.size()));
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
    return file_->read(offset_[row], length_[row]);
}

std::string FileContextStore::context(RowIndex row) const {
    std::string raw = raw_token(row);
    return raw.empty() ? std::string() : json::decode_raw_string(raw);
}

std::size_t FileContextStore::bytes_used() const {
    return offset_.size() * sizeof(std::uint64_t) + length_.size() * sizeof(std::uint32_t);
}

std::uint64_t FileContextStore::bytes_referenced() const {
    std::uint64_t total = 0;
    for (auto l : length_) total += l;
    return total;
}

}  // namespace automix::data
