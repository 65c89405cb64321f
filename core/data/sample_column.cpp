#include "core/data/sample_column.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/data/json_scan.hpp"
#include "core/data/python_repr.hpp"
#include "core/data/raw_file.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::data {

SampleVerdict sample_verdict(scoring::Verdict v) {
    switch (v) {
    case scoring::Verdict::Correct: return SampleVerdict::Correct;
    case scoring::Verdict::Incorrect: return SampleVerdict::Incorrect;
    case scoring::Verdict::None: break;
    }
    return SampleVerdict::None;
}

SampleColumn::SampleColumn(std::initializer_list<Samples> rows) {
    rows_.reserve(rows.size());
    for (const Samples& s : rows) push_back(s);
}

void SampleColumn::clear() {
    compact_.clear();
    stride_ = 0;
    general_ = false;
    rows_.clear();
    size_ = 0;
    bits_.clear();
    verdicts_ = 0;
    mem_.clear();
    file_.reset();
}

std::size_t SampleColumn::bytes_used() const {
    return compact_.size() * sizeof(std::uint64_t) + rows_.size() * sizeof(Row) + bits_.size() + mem_.size();
}

void SampleColumn::resize(std::size_t n) {
    if (uniform() && n < compact_.size()) {
        compact_.resize(n);
        verdicts_ = std::uint64_t{n} * stride_;
        bits_.resize(static_cast<std::size_t>((verdicts_ + 3) / 4));
    }
    if (n < rows_.size()) rows_.resize(n);
    size_ = n;
}

void SampleColumn::resize(std::size_t n, const Samples& value) {
    if (n <= size_ || value.empty()) {
        resize(n);
        return;
    }
    make_general();
    const Row row = make_memory_row(value);  // one copy of the texts serves every new row
    rows_.resize(size_);
    rows_.resize(n, row);
    size_ = n;
}

void SampleColumn::make_general() {
    if (general_) return;
    general_ = true;
    rows_.reserve(compact_.size());
    for (std::size_t r = 0; r < compact_.size(); ++r) {
        Row row;
        if (const std::uint64_t word = compact_[r]; word != 0) {
            row.set_text_at(word >> kUniformLengthBits);
            row.text_len = static_cast<std::uint32_t>(word & kUniformLengthMask);
            row.text_at_count |= static_cast<std::uint64_t>(stride_) << 48;
            row.verdict_at = static_cast<std::uint32_t>(std::uint64_t{r} * stride_);  // < kMaxVerdicts
        }
        rows_.push_back(row);
    }
    std::vector<std::uint64_t>().swap(compact_);
}

void SampleColumn::push_row(const Row& row) {
    make_general();
    rows_.resize(size_);  // the rows without samples before this one
    rows_.push_back(row);
    ++size_;
}

void SampleColumn::Row::set_text_at(std::uint64_t at) {
    if (at > kTextAtMask) throw std::length_error("verifier samples stored beyond 256 TiB");
    text_at_count = (text_at_count & ~kTextAtMask) | at;
}

void SampleColumn::append_verdicts(Row& row, const SampleVerdict* v, std::size_t n) {
    if (n > kMaxSamplesPerRow) throw std::length_error("more than 65535 verifier samples in a row");
    if (verdicts_ + n > kMaxVerdicts) throw std::length_error("more than 4294967295 verifier samples in one column");
    row.verdict_at = static_cast<std::uint32_t>(verdicts_);
    row.text_at_count = (row.text_at_count & Row::kTextAtMask) | (static_cast<std::uint64_t>(n) << 48);
    store_verdicts(verdicts_, v, n);
    verdicts_ += n;
}

void SampleColumn::store_verdicts(std::uint64_t at, const SampleVerdict* v, std::size_t n) {
    const auto needed = static_cast<std::size_t>((at + n + 3) / 4);
    if (bits_.size() < needed) bits_.resize(needed, 0);
    for (std::size_t i = 0; i < n; ++i, ++at) {
        // Cleared first: after a shrink the byte may still hold a dropped row's verdicts.
        const unsigned shift = 2 * static_cast<unsigned>(at % 4);
        std::uint8_t& byte = bits_[static_cast<std::size_t>(at / 4)];
        byte = static_cast<std::uint8_t>((byte & ~(3u << shift)) | (static_cast<unsigned>(v[i]) << shift));
    }
}

SampleColumn::Row SampleColumn::make_memory_row(const Samples& samples) {
    Row row;
    if (samples.empty()) return row;
    std::vector<SampleVerdict> v;
    v.reserve(samples.size());
    for (const std::string& s : samples) v.push_back(sample_verdict(scoring::verdict(s)));
    append_verdicts(row, v.data(), v.size());
    const std::size_t at = mem_.size();
    mem_ += '[';
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (i) mem_ += ',';
        json::append_quoted(mem_, samples[i]);
    }
    mem_ += ']';
    row.set_text_at(at);
    row.text_len = static_cast<std::uint32_t>(mem_.size() - at) | kInMemory;
    return row;
}

void SampleColumn::push_back(const Samples& samples) {
    if (samples.empty()) {
        push_none();
        return;
    }
    push_row(make_memory_row(samples));
}

void SampleColumn::set(std::size_t row, const Samples& samples) {
    if (row >= size_) throw std::out_of_range("SampleColumn::set: row out of range");
    make_general();
    if (row >= rows_.size()) {
        if (samples.empty()) return;  // stays without samples
        rows_.resize(row + 1);
    }
    rows_[row] = make_memory_row(samples);
}

void SampleColumn::push_stored(const std::shared_ptr<const RawFile>& file, std::uint64_t offset,
                               std::uint32_t length, const std::vector<SampleVerdict>& verdicts) {
    if (verdicts.empty() || length == 0) {
        push_none();
        return;
    }
    if (file_ && file_ != file) {  // another backing file: keep this row's texts in memory
        push_back(decode(file->read(offset, length)));
        return;
    }
    if (length >= kInMemory) throw std::length_error("verifier samples longer than 2 GiB");
    file_ = file;
    const std::size_t n = verdicts.size();
    if (uniform() && (stride_ == 0 || n == stride_) && n <= kMaxSamplesPerRow &&
        (std::uint64_t{size_} + 1) * n <= kMaxVerdicts && offset < (std::uint64_t{1} << (64 - kUniformLengthBits)) &&
        length <= kUniformLengthMask) {
        stride_ = n;
        compact_.resize(size_, 0);  // the rows without samples before this one
        store_verdicts(std::uint64_t{size_} * n, verdicts.data(), n);
        compact_.push_back(offset << kUniformLengthBits | length);
        verdicts_ = std::uint64_t{compact_.size()} * n;
        ++size_;
        return;
    }
    make_general();
    Row row;
    append_verdicts(row, verdicts.data(), verdicts.size());
    row.set_text_at(offset);
    row.text_len = length;
    push_row(row);
}

SampleVerdict SampleColumn::verdict(std::size_t row, std::size_t i) const {
    const std::uint64_t at = verdict_base(row) + i;
    return static_cast<SampleVerdict>((bits_[static_cast<std::size_t>(at / 4)] >> (2 * (at % 4))) & 3u);
}

SampleCounts SampleColumn::counts(std::size_t row) const {
    SampleCounts c;
    const std::size_t n = count(row);
    for (std::size_t i = 0; i < n; ++i) {
        switch (verdict(row, i)) {
        case SampleVerdict::Correct: ++c.correct; break;
        case SampleVerdict::Incorrect: ++c.incorrect; break;
        case SampleVerdict::None: ++c.none; break;
        }
    }
    return c;
}

double SampleColumn::confidence(std::size_t row, std::size_t k) const {
    const std::size_t n = std::min(count(row), k);
    int correct = 0, judged = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const SampleVerdict v = verdict(row, i);
        if (v == SampleVerdict::Correct)
            ++correct, ++judged;
        else if (v == SampleVerdict::Incorrect)
            ++judged;
    }
    if (judged == 0) return 0.0;
    return static_cast<double>(correct) / static_cast<double>(judged);
}

SampleColumn::Samples SampleColumn::operator[](std::size_t row) const {
    if (count(row) == 0) return {};
    try {
        if (uniform()) {
            if (!file_) return {};
            const std::uint64_t word = compact_[row];
            const auto length = static_cast<std::uint32_t>(word & kUniformLengthMask);
            Samples s = decode(file_->read(word >> kUniformLengthBits, length));
            if (s.size() != stride_) return {};  // the file changed under us
            return s;
        }
        const Row& r = rows_[row];
        if (r.text_len & kInMemory)
            return decode(
                std::string_view(mem_).substr(static_cast<std::size_t>(r.text_at()), r.text_len & ~kInMemory));
        if (!file_) return {};
        Samples s = decode(file_->read(r.text_at(), r.text_len));
        if (s.size() != r.count()) return {};  // the file changed under us: nothing rather than other rows' texts
        return s;
    } catch (const std::exception&) {
        return {};
    }
}

SampleColumn::Samples SampleColumn::decode(std::string_view raw) {
    Samples out;
    if (raw.empty()) return out;
    try {
        json::Cursor c(raw.data(), raw.data() + raw.size());
        if (c.peek() == '"') return parse_python_string_list(c.string());
        c.expect('[', "'['");
        if (c.consume(']')) return out;
        do {
            out.emplace_back();
            c.string_into(out.back());
        } while (c.consume(','));
        c.expect(']', "',' or ']'");
    } catch (const json::ScanError& e) {
        throw std::runtime_error("verifier samples: " + e.message);
    } catch (const ReprError& e) {
        throw std::runtime_error("verifier samples: " + e.message);
    }
    return out;
}

}  // namespace automix::data
