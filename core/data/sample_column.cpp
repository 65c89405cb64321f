#include "core/data/sample_column.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/data/json_scan.hpp"
#include "core/data/python_repr.hpp"
#include "core/data/raw_file.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::data {

namespace {

SampleVerdict stored(scoring::Verdict v) {
    switch (v) {
    case scoring::Verdict::Correct: return SampleVerdict::Correct;
    case scoring::Verdict::Incorrect: return SampleVerdict::Incorrect;
    case scoring::Verdict::None: break;
    }
    return SampleVerdict::None;
}

}  // namespace

SampleColumn::SampleColumn(std::initializer_list<Samples> rows) {
    rows_.reserve(rows.size());
    for (const Samples& s : rows) push_back(s);
}

void SampleColumn::clear() {
    rows_.clear();
    size_ = 0;
    bits_.clear();
    verdicts_ = 0;
    mem_.clear();
    file_.reset();
}

std::size_t SampleColumn::bytes_used() const {
    return rows_.size() * sizeof(Row) + bits_.size() + mem_.size();
}

void SampleColumn::resize(std::size_t n) {
    if (n < rows_.size()) rows_.resize(n);
    size_ = n;
}

void SampleColumn::resize(std::size_t n, const Samples& value) {
    if (n <= size_ || value.empty()) {
        resize(n);
        return;
    }
    const Row row = make_memory_row(value);  // one copy of the texts serves every new row
    rows_.resize(size_);
    rows_.resize(n, row);
    size_ = n;
}

void SampleColumn::push_row(const Row& row) {
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
    bits_.resize(static_cast<std::size_t>((verdicts_ + n + 3) / 4), 0);
    for (std::size_t i = 0; i < n; ++i, ++verdicts_)
        bits_[static_cast<std::size_t>(verdicts_ / 4)] |=
            static_cast<std::uint8_t>(static_cast<unsigned>(v[i]) << (2 * (verdicts_ % 4)));
}

SampleColumn::Row SampleColumn::make_memory_row(const Samples& samples) {
    Row row;
    if (samples.empty()) return row;
    std::vector<SampleVerdict> v;
    v.reserve(samples.size());
    for (const std::string& s : samples) v.push_back(stored(scoring::verdict(s)));
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
    Row row;
    append_verdicts(row, verdicts.data(), verdicts.size());
    row.set_text_at(offset);
    row.text_len = length;
    push_row(row);
}

SampleVerdict SampleColumn::verdict(std::size_t row, std::size_t i) const {
    const Row& r = rows_[row];
    const std::uint64_t at = r.verdict_at + i;
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
    if (row >= rows_.size() || rows_[row].count() == 0) return {};
    const Row& r = rows_[row];
    try {
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
