#pragma once
// Verifier samples of one model, kept small: per row the verdict of every sample (two bits
// each, found when the row is added) and where the texts are. A loaded row points at its raw
// JSON token in a backing file (the input itself, or the spill file of a compressed or piped
// input) and is read and decoded only when somebody asks (drill-down, export, live replay).
// Rows given in memory (generator, live runs, tests) keep their texts as JSON text in an arena.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/scoring/verifier.hpp"

namespace automix::data {

class RawFile;

// Verdict of one sample (method §3), as stored.
enum class SampleVerdict : std::uint8_t { None = 0, Incorrect = 1, Correct = 2 };
// A scorer's verdict as stored (the readers and the column turn texts into these).
SampleVerdict sample_verdict(scoring::Verdict v);

struct SampleCounts {
    std::uint32_t correct = 0, incorrect = 0, none = 0;
    std::uint32_t total() const { return correct + incorrect + none; }
    std::uint32_t judged() const { return correct + incorrect; }
};

class SampleColumn {
  public:
    using Samples = std::vector<std::string>;

    SampleColumn() = default;
    SampleColumn(std::initializer_list<Samples> rows);

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    // Room for `rows` rows of `samples_per_row` samples (nothing when that is 0: rows without
    // samples take no room, see rows_).
    void reserve(std::size_t rows, std::size_t samples_per_row) {
        if (samples_per_row == 0) return;
        if (uniform())
            compact_.reserve(rows);  // a loaded file's rows, if they all have this many samples
        else
            rows_.reserve(rows);
        bits_.reserve((rows * samples_per_row + 3) / 4);
    }
    void clear();
    // New rows have no samples.
    void resize(std::size_t n);
    void resize(std::size_t n, const Samples& value);

    void push_back(const Samples& samples);
    void emplace_back() { ++size_; }
    void set(std::size_t row, const Samples& samples);

    // The decoded texts of a row (read from the backing file for a loaded row); empty when the
    // row has none, or when the backing file no longer holds them.
    Samples operator[](std::size_t row) const;
    Samples texts(std::size_t row) const { return (*this)[row]; }

    std::size_t count(std::size_t row) const {  // 0 past the stored rows
        if (uniform()) return row < compact_.size() && compact_[row] != 0 ? stride_ : 0;
        return row < rows_.size() ? rows_[row].count() : 0;
    }
    bool has_samples(std::size_t row) const { return count(row) > 0; }
    SampleVerdict verdict(std::size_t row, std::size_t i) const;
    SampleCounts counts(std::size_t row) const;
    // (#Correct) / (#Correct + #Incorrect) of the first `k` samples (all when k is larger), 0
    // without a verdict: method §3, exactly as scoring::verifier_confidence on the texts.
    double confidence(std::size_t row, std::size_t k = static_cast<std::size_t>(-1)) const;
    // Bytes in use by the index (verdicts and where the texts are) and by texts kept in memory.
    std::size_t bytes_used() const;

    // Limits of the index (16 bytes a row, 8 while uniform): longer rows and larger columns are refused
    // (std::length_error; the readers check first and report the row).
    static constexpr std::size_t kMaxSamplesPerRow = 65535;
    static constexpr std::uint64_t kMaxVerdicts = 0xFFFFFFFFu;  // in one column
    std::uint64_t verdicts_stored() const { return verdicts_; }

    // --- for the readers ------------------------------------------------------------------
    // A row whose raw token (a JSON array of strings, or a JSON string holding a Python list)
    // is at [offset, offset + length) of `file`, with the verdicts found while parsing it.
    void push_stored(const std::shared_ptr<const RawFile>& file, std::uint64_t offset, std::uint32_t length,
                     const std::vector<SampleVerdict>& verdicts);
    // A row with no samples.
    void push_none() { ++size_; }

    // Decodes a raw samples token as the readers accept it; throws std::runtime_error.
    static Samples decode(std::string_view raw);

  private:
    // A file offset takes 48 bits (256 TiB), so the sample count fits in the same word: ten
    // million rows are then 160 MB of index, not 240.
    struct Row {
        std::uint64_t text_at_count = 0;  // offset of the raw token in file_ or mem_ | samples << 48
        std::uint32_t text_len = 0;       // bytes of the raw token; top bit: in mem_, not file_
        std::uint32_t verdict_at = 0;     // index of the first verdict in bits_
        static constexpr std::uint64_t kTextAtMask = (std::uint64_t{1} << 48) - 1;
        std::uint64_t text_at() const { return text_at_count & kTextAtMask; }
        std::size_t count() const { return static_cast<std::size_t>(text_at_count >> 48); }
        void set_text_at(std::uint64_t at);  // throws std::length_error past 256 TiB
    };
    static_assert(sizeof(Row) == 16);
    static constexpr std::uint32_t kInMemory = 0x80000000u;
    void append_verdicts(Row& row, const SampleVerdict* v, std::size_t n);
    void store_verdicts(std::uint64_t at, const SampleVerdict* v, std::size_t n);  // at: index in bits_
    Row make_memory_row(const Samples& samples);

    void push_row(const Row& row);
    // Leaves the uniform form for the general one (the rows keep their places and verdicts).
    void make_general();
    // The place of a uniform row: offset (40 bits, 1 TiB) | length (24 bits, 16 MiB); 0 = none.
    static constexpr unsigned kUniformLengthBits = 24;
    static constexpr std::uint64_t kUniformLengthMask = (std::uint64_t{1} << kUniformLengthBits) - 1;
    bool uniform() const { return !general_; }
    std::uint64_t verdict_base(std::size_t row) const {
        return uniform() ? std::uint64_t{row} * stride_ : rows_[row].verdict_at;
    }

    // Uniform form: while every row with samples is a file row with the same number of samples
    // (the release format: 32 each), a row is one word in compact_ and its verdicts start at
    // row * stride_ (a row without samples keeps its verdicts' room, unused). That halves the
    // index of a loaded file (ten million rows: 80 MB instead of 160). A row that does not fit
    // (another count, texts in memory, a token past 1 TiB or longer than 16 MiB) turns the
    // column into the general form, rows_, for good.
    std::vector<std::uint64_t> compact_;
    std::size_t stride_ = 0;  // samples of every uniform row; 0 until the first one
    bool general_ = false;
    // General form. In both forms only the rows up to the last one with samples are stored: the
    // rows after it have none, so a model that is never verified (the large model of a release
    // file) costs nothing per row.
    std::vector<Row> rows_;
    std::size_t size_ = 0;  // rows, stored or not
    std::vector<std::uint8_t> bits_;  // four verdicts a byte
    std::uint64_t verdicts_ = 0;      // verdicts stored in bits_
    std::string mem_;                 // raw tokens of rows given in memory
    std::shared_ptr<const RawFile> file_;
};

}  // namespace automix::data
