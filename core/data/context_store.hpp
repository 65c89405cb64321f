#pragma once
// Lazy contexts: a row keeps only (offset, length) of its raw JSON string token in
// a backing file; the text is read and decoded when somebody asks for it.
// Backing file = the loaded file itself (plain JSONL) or an unlinked temporary file
// holding the still-escaped tokens (gzip input, which cannot be read at random offsets).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/data/raw_file.hpp"

namespace automix::data {

class FileContextStore final : public ContextStore {
  public:
    // Reads contexts from `file` (which the verifier samples may share).
    explicit FileContextStore(std::shared_ptr<RawFile> file) : file_(std::move(file)) {}

    // Row `row` has the raw token at [offset, offset+length) of the backing file.
    void set(RowIndex row, std::uint64_t offset, std::uint32_t length);
    // Temporary backing file: write a raw token and record it for `row`.
    void append(RowIndex row, std::string_view raw_token);
    void reserve(std::size_t rows) { rows_.reserve(rows); }
    // Keeps only the given rows, renumbered 0..n-1 (used when bad rows are dropped).
    void resize(std::size_t rows);

    std::string context(RowIndex row) const override;
    bool has_context(RowIndex row) const override;
    std::string raw_token(RowIndex row) const;  // still JSON-escaped, with quotes
    std::uint64_t bytes_referenced() const;
    std::size_t bytes_used() const override;
    const std::shared_ptr<RawFile>& file() const { return file_; }

  private:
    // One word a row: offset (40 bits, 1 TiB) | length (24 bits, 16 MiB); 0 = no context. A
    // token beyond either is marked kFar and kept in far_ (ten million rows: 80 MB, not 120).
    static constexpr unsigned kLengthBits = 24;
    static constexpr std::uint64_t kLengthMask = (std::uint64_t{1} << kLengthBits) - 1;
    static constexpr std::uint64_t kFar = kLengthMask;
    struct Span {
        std::uint64_t offset = 0;
        std::uint32_t length = 0;
    };
    Span span(RowIndex row) const;

    std::shared_ptr<RawFile> file_;
    std::vector<std::uint64_t> rows_;
    std::unordered_map<RowIndex, Span> far_;
};

}  // namespace automix::data
