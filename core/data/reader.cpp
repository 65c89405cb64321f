#include "core/data/reader.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "core/data/categories.hpp"
#include "core/data/context_store.hpp"
#include "core/data/format.hpp"
#include "core/data/json_scan.hpp"
#include "core/data/line_source.hpp"
#include "core/data/raw_file.hpp"
#include "core/data/row_parser.hpp"

namespace automix::data {

std::string LoadProblem::to_string() const {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    if (line > 0 && column > 0) s += ":" + std::to_string(column);
    s += ": " + message;
    return s;
}

LoadError::LoadError(LoadProblem p) : std::runtime_error(p.to_string()), problem_(std::move(p)) {}

double confidence_of(const std::vector<SampleVerdict>& verdicts) {
    int correct = 0, incorrect = 0;
    for (const SampleVerdict v : verdicts) {
        if (v == SampleVerdict::Correct) ++correct;
        if (v == SampleVerdict::Incorrect) ++incorrect;
    }
    const int denominator = correct + incorrect;
    if (denominator == 0) return 0.0;
    return static_cast<double>(correct) / static_cast<double>(denominator);
}

namespace {

using json::ScanError;

class IdIndex {
  public:
    // Row that already has `id`, or -1; otherwise remembers `row` for it.
    long long find_or_add(std::string_view id, RowIndex row, const StringColumn& ids) {
        // Filled up to 80 %: a probe walks adjacent 8-byte slots and compares ids only where
        // the 32-bit tags agree, so the longer runs cost little, and the table is half the
        // size it would be at 50 % (50 000 ids: 512 KB, not 1 MB, at the load's peak).
        if ((count_ + 1) * 5 > slots_.size() * 4) grow();
        const auto tag = static_cast<std::uint32_t>(std::hash<std::string_view>{}(id) >> 16);
        std::size_t mask = slots_.size() - 1;
        for (std::size_t i = position(tag, mask);; i = (i + 1) & mask) {
            std::uint64_t slot = slots_[i];
            if (slot == 0) {
                pending_slot_ = i;
                pending_value_ = (std::uint64_t{tag} << 32) | (std::uint64_t{row} + 1);
                return -1;
            }
            if (static_cast<std::uint32_t>(slot >> 32) == tag) {
                auto other = static_cast<RowIndex>((slot & 0xFFFFFFFFu) - 1);
                if (ids[other] == id) return other;
            }
        }
    }
    // Commits the row passed to the last find_or_add that returned -1.
    void commit() {
        slots_[pending_slot_] = pending_value_;
        ++count_;
    }

  private:
    static std::size_t position(std::uint32_t tag, std::size_t mask) {
        return static_cast<std::size_t>((std::uint64_t{tag} * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    }
    void grow() {
        std::vector<std::uint64_t> old = std::move(slots_);
        slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
        std::size_t mask = slots_.size() - 1;
        for (std::uint64_t slot : old) {
            if (slot == 0) continue;
            std::size_t i = position(static_cast<std::uint32_t>(slot >> 32), mask);
            while (slots_[i] != 0) i = (i + 1) & mask;
            slots_[i] = slot;
        }
    }
    std::vector<std::uint64_t> slots_;
    std::size_t count_ = 0;
    std::size_t pending_slot_ = 0;
    std::uint64_t pending_value_ = 0;
};

// --- the loader ---------------------------------------------------------------------------

Split parse_split(const std::string& s) {
    if (s == "train") return Split::Train;
    if (s == "val") return Split::Val;
    return Split::Other;
}

bool parse_category(std::string s, Category& out) {
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (s == "NEEDY")
        out = Category::Needy;
    else if (s == "GOOD")
        out = Category::Good;
    else if (s == "HOPELESS")
        out = Category::Hopeless;
    else if (s == "UNDEFINED")
        out = Category::Undefined;
    else
        return false;
    return true;
}

class Loader {
  public:
    Loader(const std::string& path, const LoadOptions& options) : path_(path), options_(options) {}

    LoadResult run() {
        std::unique_ptr<LineSource> source;
        try {
            source = std::make_unique<LineSource>(path_, [this] {
                if (options_.cancel && options_.cancel->load(std::memory_order_relaxed)) throw LoadCancelled();
            });
        } catch (const LoadCancelled&) {
            throw;
        } catch (const std::exception& e) {
            throw LoadError({path_, 0, 0, std::string("cannot open: ") + e.what()});
        }
        Dataset& d = result_.dataset;
        d.source_path = path_;
        // A pipe cannot be read twice, so its contexts are kept like those of a .gz file.
        compressed_ = source->compressed() || !source->regular_file();
        if (options_.content_sha256) source->hash_content();
        // Lenient mode keeps the lines before the cut of a truncated .gz (a copy or download
        // that stopped early); strict mode fails with the same message as before.
        if (options_.skip_bad_lines) source->tolerate_truncation();
        source->on_refill = [this, src = source.get()] { report_progress(*src, false); };
        // Contexts and verifier samples are read on demand from the input itself (a second
        // descriptor of the one being read, never a second open of the path) or, for input that
        // cannot be read at random offsets, from a temporary file they are copied to.
        if (compressed_) {
            try {
                raw_file_ = RawFile::temporary();
            } catch (const std::exception& e) {
                throw LoadError({path_, 0, 0, e.what()});
            }
        } else {
            try {
                raw_file_ = RawFile::adopt(::fcntl(source->fd(), F_DUPFD_CLOEXEC, 0));
            } catch (const std::exception& e) {
                throw LoadError({path_, 0, 0, std::string("cannot open: ") + e.what()});
            }
        }
        store_ = std::make_shared<FileContextStore>(raw_file_);
        report_progress(*source, true);

        Line line;
        bool reserved = false;
        bool header = false;  // the first line was a header (manifest, CSV header), not a row
        bool parallel_failed = false;
        // Records that span lines (a quoted CSV field) ask for the lines after their first.
        const std::function<bool(Line&)> next_line = [&](Line& more) {
            if (!source->next(more)) return false;
            last_line_ = more.number;
            return true;
        };
        try {
            while (source->next(line)) {
                last_line_ = line.number;
                if ((line.number & 255) == 0) report_progress(*source, false);
                if (is_blank(line.text)) continue;
                ++content_lines_;
                if (!parser_) {
                    // The format whose sniff is surest reads the file (the first registered on a tie).
                    const FormatReader* best = nullptr;
                    Sniff best_sniff;
                    for (const FormatReader& f : formats()) {
                        const Sniff s = f.sniff(path_, line.text);
                        if (s.score > best_sniff.score) best = &f, best_sniff = s;
                    }
                    if (!best)
                        throw LoadError({path_, line.number, 0, "not a data file of a known format (" + format_names() + ")"});
                    if (!best_sniff.decided && options_.skip_bad_lines) {
                        report_undecided(line, *best);
                        continue;
                    }
                    parser_ = best->make_parser();
                    d.format = best->name;
                    try {
                        header = parser_->start(line, d);
                    } catch (const LineError& e) {
                        throw LoadError({path_, e.line, e.column, e.message});
                    }
                    if (header) continue;
                }
                handle_line(line, next_line);
                // After the first row: a native file without a manifest names its models there.
                if (!reserved) {
                    reserved = true;
                    reserve_for(*source, line.text.size());
                }
                if (parallel_failed) continue;
                if (auto copy = parser_->worker_copy()) {
                    if (parse_on_workers(*source, line, std::move(copy))) break;
                    parallel_failed = true;  // no threads to be had: on line by line
                }
            }
        } catch (const LoadCancelled&) {
            throw;
        } catch (const LoadError&) {
            throw;
        } catch (const std::runtime_error& e) {  // I/O or decompression failure
            throw LoadError({path_, line.number + 1, 0, e.what()});
        }
        report_progress(*source, true);
        result_.content_sha256 = source->content_sha256();
        if (source->truncated()) {
            // Nothing kept: the same error as strict mode (the cut is the problem, not a row).
            if (d.size() == 0)
                throw LoadError({path_, std::max<std::size_t>(line.number, 1), 0,
                                 "truncated gzip file (unexpected end of compressed data)"});
            result_.warnings.push_back("truncated gzip file (unexpected end of compressed data) after line " +
                                       std::to_string(line.number) + ": the rows before the cut were kept");
        }
        if (d.size() == 0) {
            if (result_.bad_lines > 0) {
                // Several problems, not just the first: one broken line and one systematic
                // mistake look alike otherwise.
                std::string list = "no valid rows (" + std::to_string(result_.bad_lines) + " bad lines; first: ";
                const std::size_t shown = std::min<std::size_t>(result_.problems.size(), 5);
                for (std::size_t i = 0; i < shown; ++i) list += (i ? "; " : "") + result_.problems[i].to_string();
                if (result_.bad_lines > shown) list += "; and " + std::to_string(result_.bad_lines - shown) + " more";
                throw LoadError({path_, 0, 0, list + ")"});
            }
            if (content_lines_ == 1 && header) throw LoadError({path_, 0, 0, parser_->header_only_message()});
            if (last_line_ > 0)
                throw LoadError({path_, 0, 0,
                                 "no rows (the file has " + std::to_string(last_line_) +
                                     (last_line_ == 1 ? " line, blank)" : " lines, all blank)")});
            throw LoadError({path_, 0, 0, "no rows (the file is empty)"});
        }
        finish();
        return std::move(result_);
    }

  private:
    static bool is_blank(std::string_view s) {
        for (char ch : s)
            if (ch != ' ' && ch != '\t' && ch != '\r') return false;
        return true;
    }

    void report_progress(const LineSource& src, bool force) {
        if (options_.cancel && options_.cancel->load(std::memory_order_relaxed)) throw LoadCancelled();
        if (!options_.progress) return;
        std::uint64_t done = src.bytes_read();
        if (force || done >= last_progress_ + (1u << 20)) {
            last_progress_ = done;
            options_.progress(std::min(done, src.bytes_total()), src.bytes_total());
        }
    }

    void reserve_for(const LineSource& src, std::size_t first_line_bytes) {
        // Only an estimate from the first row, on the high side: capacity that stays untouched
        // costs address space, not RAM, while a column that outgrows its capacity holds two
        // copies of itself while it moves (the load's peak).
        if (src.compressed()) return;
        std::uint64_t per_row = std::max<std::uint64_t>(first_line_bytes * 3 / 4, 64);
        std::size_t rows =
            static_cast<std::size_t>(std::min<std::uint64_t>(src.bytes_total() / per_row + 16, 50'000'000));
        Dataset& d = result_.dataset;
        d.id.reserve(rows);
        d.pid.reserve(rows);
        d.question.reserve(rows);
        d.gold.reserve(rows);
        d.dataset_index.reserve(rows);
        d.split.reserve(rows);
        d.category.reserve(rows);
        d.category_from_file.reserve(rows);
        d.extra_json.reserve(rows);
        d.source_line.reserve(rows);
        for (std::size_t i = 0; i < d.models.size(); ++i) {
            ModelColumns& m = d.models[i];
            m.answer.reserve(rows);
            m.has_answer.reserve(rows);
            m.score.reserve(rows);
            m.verifier_confidence.reserve(rows);
            m.verifier_samples.reserve(rows, m.verifier_samples.count(0));
        }
        if (store_) store_->reserve(rows);
    }

    // Lenient mode, a first line that does not show the format: its problem as the hinted
    // format's parser sees it.
    void report_undecided(const Line& line, const FormatReader& hint) {
        reporting_problems(line, [&] {
            hint.make_parser()->parse(line, [](Line&) { return false; }, row_);
            problem(line.number, 0, "cannot tell the file's format from this line");
        });
    }

    // Runs `step` on `line`; a problem it throws is reported (or thrown, in strict mode) with
    // its place: a column in the line, the line only, or a line and column of its own.
    template <class Step>
    void reporting_problems(const Line& line, const Step& step) {
        try {
            step();
        } catch (const ScanError& e) {
            problem(line.number, e.offset + 1, e.message);
        } catch (const RowError& e) {
            problem(line.number, 0, e.message);
        } catch (const LineError& e) {
            problem(e.line, e.column, e.message);
        }
    }

    void problem(std::size_t line, std::size_t column, std::string message) {
        LoadProblem p{path_, line, column, std::move(message)};
        if (!options_.skip_bad_lines) throw LoadError(std::move(p));
        ++result_.bad_lines;
        if (result_.problems.size() < options_.max_reported_problems) result_.problems.push_back(std::move(p));
    }

    void handle_line(const Line& line, const std::function<bool(Line&)>& next_line) {
        reporting_problems(line, [&] {
            parser_->parse(line, next_line, row_);
            commit(row_, line);
        });
    }

    // --- parsing on worker threads ------------------------------------------------------------

    // One line as a worker parsed it.
    struct ParsedLine {
        enum class Status : std::uint8_t { Blank, Row, Problem, Exception };
        Status status = Status::Blank;
        PendingRow row;  // Status::Row (reused from batch to batch: no allocation per row)
        std::size_t problem_line = 0, problem_column = 0;
        std::string problem_message;
        std::exception_ptr exception;  // anything else the parser threw
    };
    struct Batch {
        LineBatch lines;
        std::vector<ParsedLine> parsed;
        bool done = false;  // guarded by WorkerPool::m
    };

    // Threads that parse batches with their own parser copies; the loader commits the rows.
    class WorkerPool {
      public:
        explicit WorkerPool(std::vector<std::unique_ptr<RowParser>> parsers) {
            try {
                for (auto& parser : parsers)
                    threads_.emplace_back([this, p = std::shared_ptr<RowParser>(std::move(parser))] { work(*p); });
            } catch (...) {
                stop_all();
                throw;
            }
        }
        ~WorkerPool() { stop_all(); }
        WorkerPool(const WorkerPool&) = delete;
        WorkerPool& operator=(const WorkerPool&) = delete;

        void submit(Batch* b) {
            {
                std::lock_guard<std::mutex> lock(m_);
                b->done = false;
                queue_.push_back(b);
            }
            cv_.notify_all();
        }
        void wait(Batch* b) {
            std::unique_lock<std::mutex> lock(m_);
            cv_.wait(lock, [&] { return b->done; });
        }
        // Parses, on the calling thread, the oldest batch no worker has started; false when
        // there is none or `b` is done. The loader does this rather than wait for `b`: with
        // as many workers as cores and the reading thread, a waiting loader leaves a core's
        // share idle, and more workers would only take turns on the same cores.
        bool help_until_done(Batch* b, RowParser& parser) {
            Batch* mine = nullptr;
            {
                std::lock_guard<std::mutex> lock(m_);
                if (b->done || queue_.empty()) return false;
                mine = queue_.front();
                queue_.pop_front();
            }
            parse_batch(parser, *mine);
            std::lock_guard<std::mutex> lock(m_);
            mine->done = true;
            return true;
        }

      private:
        void stop_all() {
            {
                std::lock_guard<std::mutex> lock(m_);
                stop_ = true;
            }
            cv_.notify_all();
            for (std::thread& t : threads_) t.join();
            threads_.clear();
        }
        void work(RowParser& parser) {
            for (;;) {
                Batch* b = nullptr;
                {
                    std::unique_lock<std::mutex> lock(m_);
                    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
                    if (stop_) return;
                    b = queue_.front();
                    queue_.pop_front();
                }
                parse_batch(parser, *b);
                {
                    std::lock_guard<std::mutex> lock(m_);
                    b->done = true;
                }
                cv_.notify_all();
            }
        }
        static void parse_batch(RowParser& parser, Batch& b) {
            const std::function<bool(Line&)> no_more_lines = [](Line&) { return false; };
            if (b.parsed.size() < b.lines.lines.size()) b.parsed.resize(b.lines.lines.size());
            for (std::size_t i = 0; i < b.lines.lines.size(); ++i) {
                const Line& line = b.lines.lines[i];
                ParsedLine& out = b.parsed[i];
                out.exception = nullptr;
                if (is_blank(line.text)) {
                    out.status = ParsedLine::Status::Blank;
                    continue;
                }
                out.status = ParsedLine::Status::Problem;
                // The same places as reporting_problems gives them.
                try {
                    parser.parse(line, no_more_lines, out.row);
                    out.status = ParsedLine::Status::Row;
                } catch (const ScanError& e) {
                    out.problem_line = line.number, out.problem_column = e.offset + 1, out.problem_message = e.message;
                } catch (const RowError& e) {
                    out.problem_line = line.number, out.problem_column = 0, out.problem_message = e.message;
                } catch (const LineError& e) {
                    out.problem_line = e.line, out.problem_column = e.column, out.problem_message = e.message;
                } catch (...) {
                    out.status = ParsedLine::Status::Exception;
                    out.exception = std::current_exception();
                }
            }
        }

        std::mutex m_;
        std::condition_variable cv_;
        std::deque<Batch*> queue_;
        bool stop_ = false;
        std::vector<std::thread> threads_;
    };

    // The rest of the input once the parser can be copied: the main thread cuts it into
    // batches of lines (as read, no copy), workers parse them, and the rows are committed here
    // in file order, so rows, problems and errors come out exactly as from parsing line by line.
    // `line` ends as the last line read (for an I/O error's place). False, with nothing read,
    // when no thread could be started.
    bool parse_on_workers(LineSource& source, Line& line, std::unique_ptr<RowParser> first_copy) {
        // One worker: with the reading thread and this one (which parses too while it waits), a
        // thread a core and one more; a second worker only made the three take turns.
        constexpr std::size_t kWorkers = 1;
        constexpr std::size_t kBatches = 4;  // in flight; at most kMaxHeldBatches
        constexpr std::size_t kBatchLines = 4096;
        static_assert(kBatches <= kMaxHeldBatches);
        std::vector<std::unique_ptr<RowParser>> parsers;
        parsers.push_back(std::move(first_copy));
        while (parsers.size() < kWorkers) parsers.push_back(parser_->worker_copy());
        const std::unique_ptr<RowParser> own = parser_->worker_copy();  // for help_until_done
        // Declared before the pool, so the workers have stopped before the batches go.
        std::vector<std::unique_ptr<Batch>> batches;
        std::vector<Batch*> idle;
        for (std::size_t i = 0; i < kBatches; ++i) {
            batches.push_back(std::make_unique<Batch>());
            idle.push_back(batches.back().get());
        }
        std::deque<Batch*> in_flight;
        // Batches hold the source's buffers: give them back before the source goes, on any exit.
        struct GiveBack {
            LineSource& source;
            std::vector<std::unique_ptr<Batch>>& batches;
            ~GiveBack() {
                for (auto& b : batches) source.give_back(b->lines);
            }
        } give_back_all{source, batches};
        std::optional<WorkerPool> pool;
        try {
            pool.emplace(std::move(parsers));
        } catch (const std::system_error&) {
            return false;
        }
        bool at_end = false;
        std::exception_ptr read_error;  // raised once the lines before it are committed
        while (!at_end || !in_flight.empty()) {
            while (!at_end && !idle.empty()) {
                Batch* b = idle.back();
                try {
                    at_end = !source.next_batch(b->lines, kBatchLines);
                } catch (const LoadCancelled&) {
                    throw;
                } catch (const std::runtime_error&) {
                    read_error = std::current_exception();
                    at_end = true;
                }
                if (at_end) break;
                idle.pop_back();
                line = b->lines.lines.back();
                last_line_ = line.number;
                pool->submit(b);
                in_flight.push_back(b);
                report_progress(source, false);
            }
            if (in_flight.empty()) break;
            Batch* b = in_flight.front();
            in_flight.pop_front();
            while (own && pool->help_until_done(b, *own)) {
            }
            pool->wait(b);
            commit_batch(*b, line);
            source.give_back(b->lines);
            idle.push_back(b);
        }
        if (read_error) std::rethrow_exception(read_error);
        return true;
    }

    // `current`: set to a line whose parser threw something unexpected, as the line-by-line
    // loop would have it.
    void commit_batch(Batch& b, Line& current) {
        for (std::size_t i = 0; i < b.lines.lines.size(); ++i) {
            const Line& line = b.lines.lines[i];
            ParsedLine& parsed = b.parsed[i];
            switch (parsed.status) {
            case ParsedLine::Status::Blank: continue;
            case ParsedLine::Status::Row:
                ++content_lines_;
                reporting_problems(line, [&] { commit(parsed.row, line); });
                break;
            case ParsedLine::Status::Problem:
                ++content_lines_;
                problem(parsed.problem_line, parsed.problem_column, std::move(parsed.problem_message));
                break;
            case ParsedLine::Status::Exception:
                ++content_lines_;
                current = line;
                std::rethrow_exception(parsed.exception);
            }
        }
    }

    std::uint16_t intern_dataset(const std::string& name) {
        auto& names = result_.dataset.dataset_names;
        if (last_dataset_ < names.size() && names[last_dataset_] == name)
            return static_cast<std::uint16_t>(last_dataset_);
        if (auto it = dataset_ids_.find(name); it != dataset_ids_.end()) return it->second;
        if (names.size() >= 65535) throw RowError{"field `dataset`: more than 65535 distinct dataset names"};
        names.push_back(name);
        last_dataset_ = names.size() - 1;
        dataset_ids_.emplace(name, static_cast<std::uint16_t>(last_dataset_));
        return static_cast<std::uint16_t>(last_dataset_);
    }

    void commit(PendingRow& pending, const Line& line) {
        Dataset& d = result_.dataset;
        const auto row = static_cast<RowIndex>(d.size());
        // Validate everything before touching a column, so a bad row leaves no trace.
        Category category = Category::Undefined;
        if (pending.has_category && !parse_category(pending.category, category))
            throw RowError{"field `category`: expected NEEDY, GOOD, HOPELESS or UNDEFINED, got `" + pending.category +
                           "`"};
        long long first = id_index_.find_or_add(pending.id, row, d.id);
        if (first >= 0)
            throw RowError{"duplicate id `" + pending.id + "` (first on line " +
                           std::to_string(d.source_line[static_cast<std::size_t>(first)]) + ")"};
        if (d.size() >= 0xFFFFFFFFu) throw RowError{"more than 4294967295 rows"};
        std::uint16_t dataset = intern_dataset(pending.dataset);
        Split split = parse_split(pending.split);
        if (!pending.context_raw.empty() && pending.context_raw.size() > 0xFFFFFFFFu)
            throw RowError{"context longer than 4 GiB"};
        for (std::size_t i = 0; i < d.models.size(); ++i) {
            const std::size_t samples = pending.models[i].verdicts.size();
            if (samples > SampleColumn::kMaxSamplesPerRow)
                throw RowError{"model `" + d.models[i].name + "`: more than 65535 verifier samples in one row"};
            if (d.models[i].verifier_samples.verdicts_stored() + samples > SampleColumn::kMaxVerdicts)
                throw RowError{"model `" + d.models[i].name + "`: more than 4294967295 verifier samples in one file"};
        }

        std::vector<double>& computed_confidence = computed_confidence_;  // reused: no allocation per row
        computed_confidence.assign(pending.models.size(), kMissing);
        for (std::size_t i = 0; i < pending.models.size(); ++i) {
            PendingModel& m = pending.models[i];
            if (!m.has_confidence && m.has_samples) {
                computed_confidence[i] = confidence_of(m.verdicts);
                ++computed_confidence_rows_;
                if (m.verdicts.empty()) note(empty_samples_, line, i, "");
            }
            if (m.has_score && !(m.score >= 0.0 && m.score <= 1.0)) note(score_outside_, line, i, number_text(m.score));
            if (m.has_confidence && !(m.confidence >= 0.0 && m.confidence <= 1.0))
                note(confidence_outside_, line, i, number_text(m.confidence));
        }

        id_index_.commit();
        d.id.push_back(std::move(pending.id));
        d.pid.push_back(std::move(pending.pid));
        d.question.push_back(std::move(pending.question));
        d.gold.push_back(std::move(pending.gold));
        d.dataset_index.push_back(dataset);
        d.split.push_back(split);
        if (split == Split::Other) {
            d.split_label.resize(row);
            d.split_label.push_back(pending.split);
        } else if (!d.split_label.empty()) {
            d.split_label.emplace_back();
        }
        d.category.push_back(category);
        d.category_from_file.push_back(pending.has_category ? 1 : 0);
        d.extra_json.push_back(std::move(pending.extra));
        d.source_line.push_back(static_cast<std::uint32_t>(std::min<std::size_t>(line.number, 0xFFFFFFFFu)));
        for (std::size_t i = 0; i < d.models.size(); ++i) {
            ModelColumns& col = d.models[i];
            PendingModel& m = pending.models[i];
            col.answer.push_back(std::move(m.answer));
            col.has_answer.push_back(m.has_answer ? 1 : 0);
            col.score.push_back(m.score);
            if (m.verdicts.empty()) {
                col.verifier_samples.push_none();
            } else {
                const auto length = static_cast<std::uint32_t>(m.samples_raw.size());
                const std::uint64_t at =
                    compressed_ ? raw_file_->append(m.samples_raw) : line.offset + m.samples_offset;
                col.verifier_samples.push_stored(raw_file_, at, length, m.verdicts);
            }
            col.verifier_confidence.push_back(m.has_confidence ? m.confidence : computed_confidence[i]);
            if (!m.extra.empty()) {
                col.extra_json.resize(row);
                col.extra_json.push_back(std::move(m.extra));
            } else if (!col.extra_json.empty()) {
                col.extra_json.emplace_back();
            }
        }
        for (const auto& m : pending.models)
            if (!m.has_score) {
                ++unknown_scores_;
                d.unmeasured.resize(d.size(), 0);
                d.unmeasured.back() = 1;
            }
        if (!pending.has_question) ++no_question_;
        if (!d.models.empty() && !pending.models[0].has_answer) ++no_answer_;
        if (pending.context_raw.empty()) {
            ++no_context_;
        } else if (store_) {
            auto length = static_cast<std::uint32_t>(pending.context_raw.size());
            if (compressed_)
                store_->append(row, pending.context_raw);  // the same spill file as the samples
            else
                store_->set(row, line.offset + pending.context_offset, length);
        }
    }

    void finish() {
        Dataset& d = result_.dataset;
        const std::size_t n = d.size();
        if (!d.unmeasured.empty()) d.unmeasured.resize(n, 0);
        if (!d.split_label.empty()) d.split_label.resize(n);
        for (auto& m : d.models)
            if (!m.extra_json.empty()) m.extra_json.resize(n);
        store_->resize(n);
        d.contexts = store_;
        compute_categories(d);
        auto warn = [&](std::size_t count, const char* what) {
            if (count > 0)
                result_.warnings.push_back(std::to_string(count) + (count == 1 ? " row has " : " rows have ") + what);
        };
        parser_->add_warnings(result_.warnings);
        warn(no_context_, "no context");
        warn(no_question_, "no question");
        warn(no_answer_, "no answer from the small model");
        if (unknown_scores_ > 0)
            result_.warnings.push_back(std::to_string(unknown_scores_) +
                                       " model scores are unknown (a routed live run did not ask that model): those rows "
                                       "are shown, their unknown scores as NaN, and left out of training and metrics; "
                                       "run with run_all_models for a complete dataset");
        if (computed_confidence_rows_ > 0)
            result_.warnings.push_back("verifier confidence computed from the verifier samples for " +
                                       std::to_string(computed_confidence_rows_) + " model answers");
        suspect_data_warnings();
    }

    // --- suspect but accepted data: warned about, never changed --------------------------

    struct Suspect {
        std::size_t count = 0;
        std::size_t first_line = 0, first_model = 0;
        std::string first_value;
    };
    static void note(Suspect& s, const Line& line, std::size_t model, std::string value) {
        if (s.count++ == 0) {
            s.first_line = line.number;
            s.first_model = model;
            s.first_value = std::move(value);
        }
    }
    static std::string number_text(double v) {
        std::string out;
        json::append_number(out, v);
        return out;
    }

    void suspect_data_warnings() {
        const Dataset& d = result_.dataset;
        auto where = [&](const Suspect& s) {
            return " (first: line " + std::to_string(s.first_line) + ", model `" + d.models[s.first_model].name + "`" +
                   (s.first_value.empty() ? "" : ", " + s.first_value) + ")";
        };
        auto plural = [](std::size_t n, const char* one, const char* many) {
            return std::to_string(n) + " " + (n == 1 ? one : many);
        };
        if (score_outside_.count > 0)
            result_.warnings.push_back(plural(score_outside_.count, "score is", "scores are") +
                                       " outside [0, 1]; averages and lifts use them as they are" +
                                       where(score_outside_));
        if (confidence_outside_.count > 0)
            result_.warnings.push_back(
                plural(confidence_outside_.count, "verifier confidence is", "verifier confidences are") +
                " outside [0, 1], so outside every confidence bin" + where(confidence_outside_));
        if (empty_samples_.count > 0)
            result_.warnings.push_back(plural(empty_samples_.count, "model answer has", "model answers have") +
                                       " an empty verifier sample list and no confidence: its confidence is 0" +
                                       where(empty_samples_));
        // Splits are case-sensitive: `TRAIN` is not `train`, and such rows train nothing.
        std::unordered_map<std::string, std::size_t> odd;
        for (std::size_t r = 0; r < d.split_label.size(); ++r) {
            if (d.split[r] != Split::Other) continue;
            std::string lower(d.split_label[r]);
            for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (lower == "train" || lower == "val") ++odd[std::string(d.split_label[r])];
        }
        std::vector<std::pair<std::string, std::size_t>> sorted(odd.begin(), odd.end());
        std::sort(sorted.begin(), sorted.end());
        for (const auto& [label, n] : sorted) {
            std::string lower = label;
            for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            result_.warnings.push_back("split `" + label + "` (" + plural(n, "row", "rows") + ") is not `" + lower +
                                       "`: split names are case-sensitive, so " + (n == 1 ? "it is" : "they are") +
                                       " in neither train nor val");
        }
    }

    Suspect score_outside_, confidence_outside_, empty_samples_;

    std::string path_;
    const LoadOptions& options_;
    LoadResult result_;
    std::shared_ptr<RawFile> raw_file_;
    std::shared_ptr<FileContextStore> store_;
    std::unique_ptr<RowParser> parser_;  // of the file's format, once its first line was seen
    std::size_t last_line_ = 0;         // number of the last line read
    IdIndex id_index_;
    PendingRow row_;
    std::vector<double> computed_confidence_;  // commit()'s, per model of the row
    std::uint64_t last_progress_ = 0;
    bool compressed_ = false;
    std::size_t last_dataset_ = 0;
    std::size_t content_lines_ = 0;  // non-blank lines
    std::unordered_map<std::string, std::uint16_t> dataset_ids_;
    std::size_t no_context_ = 0, no_question_ = 0, no_answer_ = 0, computed_confidence_rows_ = 0;
    std::size_t unknown_scores_ = 0;
};

}  // namespace

LoadResult load_file(const std::string& path, const LoadOptions& options) {
    Loader loader(path, options);
    return loader.run();
}

}  // namespace automix::data