#include "core/data/context_store.hpp"

#include "core/data/json_scan.hpp"

namespace automix::data {

void FileContextStore::set(RowIndex row, std::uint64_t offset, std::uint32_t length) {
    if (rows_.size() <= row) rows_.resize(row + 1, 0);
    if (!far_.empty()) far_.erase(row);
    if (length == 0) {
        rows_[row] = 0;
    } else if (length < kFar && offset < (std::uint64_t{1} << (64 - kLengthBits))) {
        rows_[row] = (offset << kLengthBits) | length;
    } else {
        rows_[row] = kFar;
        far_[row] = {offset, length};
    }
}

FileContextStore::Span FileContextStore::span(RowIndex row) const {
    if (row >= rows_.size()) return {};
    const std::uint64_t word = rows_[row];
    if (word == kFar) return far_.at(row);
    return {word >> kLengthBits, static_cast<std::uint32_t>(word & kLengthMask)};
}

void FileContextStore::append(RowIndex row, std::string_view raw) {
    set(row, file_->append(raw), static_cast<std::uint32_t>(raw.size()));
}

void FileContextStore::resize(std::size_t rows) {
    rows_.resize(rows, 0);
    std::erase_if(far_, [rows](const auto& entry) { return entry.first >= rows; });
}

bool FileContextStore::has_context(RowIndex row) const {
    return row < rows_.size() && rows_[row] != 0;
}

std::string FileContextStore::raw_token(RowIndex row) const {
    if (!has_context(row)) return {};
    const Span s = span(row);
    return file_->read(s.offset, s.length);
}

std::string FileContextStore::context(RowIndex row) const {
    std::string raw = raw_token(row);
    return raw.empty() ? std::string() : json::decode_raw_string(raw);
}

std::size_t FileContextStore::bytes_used() const {
    return rows_.size() * sizeof(std::uint64_t) + far_.size() * (sizeof(RowIndex) + sizeof(Span));
}

std::uint64_t FileContextStore::bytes_referenced() const {
    std::uint64_t total = 0;
    for (RowIndex r = 0; r < rows_.size(); ++r) total += span(r).length;
    return total;
}

}  // namespace automix::data
