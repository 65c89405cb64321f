#include "core/data/reader.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/data/categories.hpp"
#include "core/data/context_store.hpp"
#include "core/data/json_parse.hpp"
#include "core/data/json_scan.hpp"
#include "core/data/line_source.hpp"
#include "core/data/python_repr.hpp"
#include "core/data/raw_file.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::data {

std::string LoadProblem::to_string() const {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    if (line > 0 && column > 0) s += ":" + std::to_string(column);
    s += ": " + message;
    return s;
}

LoadError::LoadError(LoadProblem p) : std::runtime_error(p.to_string()), problem_(std::move(p)) {}

namespace {

using json::Cursor;
using json::Kind;
using json::ScanError;

// --- one parsed row, before it is committed to the columns -----------------------------

struct PendingModel {
    std::string name;
    std::string answer;
    bool has_answer = false;
    double score = kMissing;
    bool has_score = false;
    // Verifier samples: the raw token (array, or string holding a Python list) and its position
    // in the line; the texts stay in the file, only each sample's verdict is kept.
    std::string_view samples_raw;
    std::size_t samples_offset = 0;
    std::vector<SampleVerdict> verdicts;
    bool has_samples = false;
    double confidence = kMissing;
    bool has_confidence = false;
    // `score: null` and where: unknown, which only a live row may say (the model was not asked).
    bool null_score = false;
    std::size_t null_score_at = 0;
    std::string extra;  // compact JSON object of unknown fields, "" when none

    // Back to "nothing read", keeping the buffers' capacity (no allocation per row).
    void reset() {
        name.clear(), answer.clear(), extra.clear();
        has_answer = has_score = has_samples = has_confidence = null_score = false;
        null_score_at = 0;
        score = confidence = kMissing;
        samples_raw = {};
        samples_offset = 0;
        verdicts.clear();
    }
};

struct PendingRow {
    std::string id, pid, question, gold, dataset, split, category;
    bool has_id = false, has_pid = false, has_question = false, has_gold = false;
    bool has_dataset = false, has_split = false, has_category = false;
    std::string_view context_raw;    // raw token (quotes included), empty when absent
    std::size_t context_offset = 0;  // in the line
    std::vector<PendingModel> models;
    std::string extra;

    void clear(std::size_t model_count) {
        id.clear(), pid.clear(), question.clear(), gold.clear(), dataset.clear(), split.clear(), category.clear();
        has_id = has_pid = has_question = has_gold = has_dataset = has_split = has_category = false;
        context_raw = {};
        context_offset = 0;
        models.resize(model_count);
        for (PendingModel& m : models) m.reset();
        extra.clear();
    }
};

// Unknown fields, gathered as compact `"key":value` members.
class ExtraFields {
  public:
    void clear() {
        text_.clear();
        names_.clear();
        if (!many_.empty()) many_ = {};  // a fresh set: clear() would wipe all its old buckets per row
    }
    void add(const std::string& key, std::string_view raw_value) {
        text_ += text_.empty() ? "{" : ",";
        json::append_quoted(text_, key);
        text_ += ':';
        bool has_space = std::any_of(raw_value.begin(), raw_value.end(),
                                     [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; });
        text_ += has_space ? json::minify(raw_value) : std::string(raw_value);
    }
    std::string take() {
        if (text_.empty()) return {};
        text_ += '}';
        std::string out = std::move(text_);
        text_.clear();
        return out;
    }
    // Duplicate field names are rejected (which value would be meant is ambiguous).
    // A short list is searched; past 32 names a hash set keeps 100 000 fields linear.
    bool has(const std::string& key) const {
        return many_.empty() ? std::find(names_.begin(), names_.end(), key) != names_.end() : many_.count(key) > 0;
    }
    bool seen(const std::string& key) {
        if (many_.empty() && names_.size() < 32) {
            if (std::find(names_.begin(), names_.end(), key) != names_.end()) return true;
            names_.push_back(key);
            return false;
        }
        if (many_.empty()) many_.insert(names_.begin(), names_.end());
        return !many_.insert(key).second;
    }

  private:
    std::string text_;
    std::vector<std::string> names_;
    std::unordered_set<std::string> many_;
};

// What the start of a line that is not a JSON object looks like, when that tells the user
// more than the byte: data compressed twice or with another tool, UTF-16, a second BOM.
std::string foreign_bytes(std::string_view t) {
    auto starts = [&](std::string_view magic) { return t.substr(0, magic.size()) == magic; };
    using namespace std::string_view_literals;
    if (starts("\x1f\x8b"sv)) return "gzip data (bytes 1f 8b) inside the gzip file: compressed twice?";
    if (starts("\xfd"
               "7zXZ\x00"sv))
        return "xz-compressed data (bytes fd 37 7a 58 5a 00); decompress it first or use gzip";
    if (starts("BZh"sv) && t.size() > 3 && t[3] >= '1' && t[3] <= '9')
        return "bzip2-compressed data (\"BZh\"); decompress it first or use gzip";
    if (starts("\x28\xb5\x2f\xfd"sv))
        return "zstd-compressed data (bytes 28 b5 2f fd); decompress it first or use gzip";
    if (starts("\xff\xfe"sv) || starts("\xfe\xff"sv) ||
        (t.size() > 1 && ((t[0] == '{' && t[1] == '\0') || (t[0] == '\0' && t[1] == '{'))))
        return "UTF-16 text (bytes " + std::string(t[0] == '{' || t[0] == '\xff' ? "ff fe / 7b 00" : "fe ff / 00 7b") +
               "); the reader needs UTF-8";
    if (starts("\xef\xbb\xbf"sv))
        return "a UTF-8 byte order mark (ef bb bf) here (a second one, or one not at the file's start)";
    return {};
}

void expect_object_start(Cursor& c) {
    c.skip_ws();
    if (c.offset() == 0) {
        const std::string foreign = foreign_bytes(std::string_view(c.pos(), c.remaining()));
        if (!foreign.empty()) c.fail("expected a JSON object ('{') at the start of the line, got " + foreign);
    }
    if (c.peek() != '{') c.fail("expected a JSON object ('{') at the start of the line");
}

[[noreturn]] void type_error(Cursor& c, std::string_view field, std::string_view expected, Kind got) {
    c.fail("field `" + std::string(field) + "`: expected " + std::string(expected) + ", got " +
           std::string(json::kind_name(got)));
}

// A string field; null means "absent" for optional fields and is a type error for required ones.
bool read_string(Cursor& c, std::string_view field, std::string& out, bool required) {
    Kind k = c.next_kind();
    if (k == Kind::String) {
        c.string_into(out);
        return true;
    }
    if (k == Kind::Null && !required) {
        c.skip_value();
        return false;
    }
    type_error(c, field, "string", k);
}

double read_score(Cursor& c, std::string_view field, bool& present) {
    Kind k = c.next_kind();
    if (k == Kind::Null) {
        c.skip_value();
        present = false;
        return kMissing;
    }
    if (k == Kind::NotANumber || k == Kind::Infinite)
        c.fail("field `" + std::string(field) + "`: expected a finite number, got " + std::string(json::kind_name(k)));
    if (k != Kind::Number) type_error(c, field, "number", k);
    present = true;
    try {
        return c.number();
    } catch (ScanError& e) {
        if (e.limit) e.message = "field `" + std::string(field) + "`: " + e.message;
        throw;
    }
}

// A JSON array of strings, or a string holding a Python list repr (some releases store that).
// Only the verdict of each sample is kept (decoded into `scratch`), and where the token is.
bool read_samples(Cursor& c, std::string_view field, PendingModel& m, std::string& scratch) {
    m.verdicts.clear();
    m.samples_raw = {};
    Kind k = c.next_kind();
    if (k == Kind::Null) {
        c.skip_value();
        return false;
    }
    auto stored = [](scoring::Verdict v) {
        switch (v) {
        case scoring::Verdict::Correct: return SampleVerdict::Correct;
        case scoring::Verdict::Incorrect: return SampleVerdict::Incorrect;
        case scoring::Verdict::None: break;
        }
        return SampleVerdict::None;
    };
    auto verdict = [&](std::string_view text) { return stored(scoring::verdict(text)); };
    if (k == Kind::Array) {
        m.samples_offset = c.offset();
        const char* start = c.pos();
        c.expect('[', "'['");
        if (!c.consume(']')) {
            do {
                Kind item = c.next_kind();
                if (item != Kind::String)
                    c.fail("field `" + std::string(field) + "`: expected an array of strings, got " +
                           std::string(json::kind_name(item)) + " at index " + std::to_string(m.verdicts.size()));
                // In place when the token has no \u escape; decoded otherwise.
                const std::string_view raw = c.raw_string();
                if (c.had_unicode_escape()) {
                    scratch = json::decode_raw_string(raw);
                    m.verdicts.push_back(verdict(scratch));
                } else {
                    m.verdicts.push_back(stored(scoring::verdict_of_json_body(raw.substr(1, raw.size() - 2))));
                }
            } while (c.consume(','));
            c.expect(']', "',' or ']'");
        }
        m.samples_raw = std::string_view(start, static_cast<std::size_t>(c.pos() - start));
        return true;
    }
    if (k == Kind::String) {
        std::size_t at = c.offset();
        const char* start = c.pos();
        std::string repr = c.string();
        try {
            for (const std::string& s : parse_python_string_list(repr)) m.verdicts.push_back(verdict(s));
        } catch (const ReprError& e) {
            throw ScanError{at, "field `" + std::string(field) + "`: string is not a list of strings (" + e.message +
                                    " at character " + std::to_string(e.offset + 1) + " of the value)"};
        }
        m.samples_offset = at;
        m.samples_raw = std::string_view(start, static_cast<std::size_t>(c.pos() - start));
        return true;
    }
    type_error(c, field, "array of strings", k);
}

// Reads `"key":` and returns false at the end of the object.
bool next_key(Cursor& c, std::string& key, bool first, std::size_t& key_offset) {
    if (first) {
        if (c.consume('}')) return false;
    } else {
        c.skip_ws();
        if (c.consume('}')) return false;
        c.expect(',', "',' or '}'");
    }
    c.skip_ws();
    if (c.peek() != '"') c.fail(c.at_end() ? "unexpected end of line inside an object" : "expected field name");
    key_offset = c.offset();
    c.string_into(key);
    c.expect(':', "':' after field name");
    return true;
}

std::string missing_message(const std::vector<std::string>& missing) {
    std::string s = missing.size() == 1 ? "missing required field " : "missing required fields ";
    for (std::size_t i = 0; i < missing.size(); ++i) s += (i ? ", `" : "`") + missing[i] + "`";
    return s;
}

// A row-level problem that has no useful column (missing fields, duplicate id).
struct RowError {
    std::string message;
};

// Duplicate-id detection without a node per id: open addressing over (32-bit tag of the
// id's hash, row + 1) pairs; equal tags are confirmed by comparing the ids themselves.
class IdIndex {
  public:
    // Row that already has `id`, or -1; otherwise remembers `row` for it.
    long long find_or_add(const std::string& id, RowIndex row, const std::vector<std::string>& ids) {
        if ((count_ + 1) * 2 > slots_.size()) grow();
        const auto tag = static_cast<std::uint32_t>(std::hash<std::string>{}(id) >> 16);
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

// --- format-specific field handling -------------------------------------------------------

enum ReleaseField : int {
    kId,
    kPid,
    kBaseCtx,
    kQuestion,
    kOutput,
    kDataset,
    kSplit,
    kAns13,
    kAns70,
    kVer13,
    kPVer13,
    kF1_13,
    kF1_70,
    kCategory,
    kReleaseFieldCount,
    kUnknownField = -1
};
constexpr std::string_view kReleaseNames[kReleaseFieldCount] = {
    "id",        "pid",         "base_ctx",          "question",          "output",
    "dataset",   "split",       "llama13b_pred_ans", "llama70b_pred_ans", "llama13b_ver",
    "p_ver_13b", "llama13b_f1", "llama70b_f1",       "category"};

int release_field(const std::string& key) {
    const std::string_view k = key;  // compares lengths first
    for (int i = 0; i < kReleaseFieldCount; ++i)
        if (k == kReleaseNames[i]) return i;
    return kUnknownField;
}

void parse_release_row(Cursor& c, PendingRow& row, ExtraFields& extra, std::string& key, std::string& scratch) {
    row.clear(2);
    extra.clear();
    unsigned seen = 0;
    PendingModel& slm = row.models[0];
    PendingModel& llm = row.models[1];
    expect_object_start(c);
    c.expect('{', "'{'");
    bool first = true;
    std::size_t key_offset = 0;
    while (next_key(c, key, first, key_offset)) {
        first = false;
        int f = release_field(key);
        if (f >= 0) {
            if (seen & (1u << f)) throw ScanError{key_offset, "duplicate field `" + key + "`"};
            seen |= 1u << f;
        }
        switch (f) {
        case kId: row.has_id = read_string(c, key, row.id, true); break;
        case kPid: row.has_pid = read_string(c, key, row.pid, false); break;
        case kQuestion: row.has_question = read_string(c, key, row.question, false); break;
        case kOutput: row.has_gold = read_string(c, key, row.gold, false); break;
        case kDataset: row.has_dataset = read_string(c, key, row.dataset, true); break;
        case kSplit: row.has_split = read_string(c, key, row.split, true); break;
        case kCategory: row.has_category = read_string(c, key, row.category, false); break;
        case kAns13: slm.has_answer = read_string(c, key, slm.answer, false); break;
        case kAns70: llm.has_answer = read_string(c, key, llm.answer, false); break;
        case kVer13: slm.has_samples = read_samples(c, key, slm, scratch); break;
        case kPVer13: slm.confidence = read_score(c, key, slm.has_confidence); break;
        case kF1_13:
            slm.score = read_score(c, key, slm.has_score);
            if (!slm.has_score) type_error(c, key, "number", Kind::Null);
            break;
        case kF1_70:
            llm.score = read_score(c, key, llm.has_score);
            if (!llm.has_score) type_error(c, key, "number", Kind::Null);
            break;
        case kBaseCtx: {
            Kind k = c.next_kind();
            if (k == Kind::String) {
                row.context_offset = c.offset();
                row.context_raw = c.raw_string();
            } else if (k == Kind::Null) {
                c.skip_value();
            } else {
                type_error(c, key, "string", k);
            }
            break;
        }
        default:
            if (extra.seen(key)) throw ScanError{key_offset, "duplicate field `" + key + "`"};
            extra.add(key, c.skip_value());
        }
    }
    row.extra = extra.take();

    std::vector<std::string> missing;
    if (!row.has_id) missing.emplace_back("id");
    if (!row.has_dataset) missing.emplace_back("dataset");
    if (!row.has_split) missing.emplace_back("split");
    if (!slm.has_score) missing.emplace_back("llama13b_f1");
    // A routed `automix run` output (it has a `live` object) asks the large model only when it
    // escalates: its score on the other rows is unknown (NaN), not missing by mistake.
    if (!llm.has_score && !extra.has("live")) missing.emplace_back("llama70b_f1");
    if (!slm.has_confidence && !slm.has_samples) missing.emplace_back("p_ver_13b` or `llama13b_ver");
    if (!missing.empty()) throw RowError{missing_message(missing)};
}

struct ManifestModel {
    std::string name, display_name;
    double cost = 1.0;
};

void parse_native_model(Cursor& c, PendingModel& m, std::string& key, std::size_t index, std::string& scratch) {
    std::string prefix = "models[" + std::to_string(index) + "].";
    Kind k = c.next_kind();
    if (k != Kind::Object)
        c.fail("field `models[" + std::to_string(index) + "]`: expected object, got " +
               std::string(json::kind_name(k)));
    c.expect('{', "'{'");
    ExtraFields extra;
    unsigned seen = 0;
    static constexpr const char* names[] = {"name", "answer", "score", "verifier_samples", "verifier_confidence"};
    bool first = true;
    std::size_t key_offset = 0;
    while (next_key(c, key, first, key_offset)) {
        first = false;
        int f = -1;
        for (int i = 0; i < 5; ++i)
            if (key == names[i]) f = i;
        if (f >= 0) {
            if (seen & (1u << f)) throw ScanError{key_offset, "duplicate field `" + prefix + key + "`"};
            seen |= 1u << f;
        } else if (extra.seen(key)) {
            throw ScanError{key_offset, "duplicate field `" + prefix + key + "`"};
        }
        std::string field = prefix + key;
        switch (f) {
        case 0: read_string(c, field, m.name, true); break;
        case 1: m.has_answer = read_string(c, field, m.answer, false); break;
        case 2: {
            c.next_kind();
            const std::size_t at = c.offset();
            m.score = read_score(c, field, m.has_score);
            m.null_score = !m.has_score;
            m.null_score_at = at;
            break;
        }
        case 3: m.has_samples = read_samples(c, field, m, scratch); break;
        case 4: m.confidence = read_score(c, field, m.has_confidence); break;
        default: extra.add(key, c.skip_value());
        }
    }
    m.extra = extra.take();
}

enum NativeField : int {
    nId,
    nPid,
    nContext,
    nQuestion,
    nGold,
    nDataset,
    nSplit,
    nCategory,
    nModels,
    kNativeFieldCount
};
constexpr std::string_view kNativeNames[kNativeFieldCount] = {"id",      "pid",   "context",  "question", "gold",
                                                         "dataset", "split", "category", "models"};

void parse_native_row(Cursor& c, PendingRow& row, ExtraFields& extra, std::string& key, std::string& scratch,
                      const std::vector<ManifestModel>& manifest) {
    row.clear(0);
    extra.clear();
    unsigned seen = 0;
    bool has_models = false;
    expect_object_start(c);
    c.expect('{', "'{'");
    bool first = true;
    std::size_t key_offset = 0;
    while (next_key(c, key, first, key_offset)) {
        first = false;
        int f = -1;
        for (int i = 0; i < kNativeFieldCount; ++i)
            if (key == kNativeNames[i]) f = i;
        if (f >= 0) {
            if (seen & (1u << f)) throw ScanError{key_offset, "duplicate field `" + key + "`"};
            seen |= 1u << f;
        }
        switch (f) {
        case nId: row.has_id = read_string(c, key, row.id, true); break;
        case nPid: row.has_pid = read_string(c, key, row.pid, false); break;
        case nQuestion: row.has_question = read_string(c, key, row.question, false); break;
        case nGold: row.has_gold = read_string(c, key, row.gold, false); break;
        case nDataset: row.has_dataset = read_string(c, key, row.dataset, true); break;
        case nSplit: row.has_split = read_string(c, key, row.split, true); break;
        case nCategory: row.has_category = read_string(c, key, row.category, false); break;
        case nContext: {
            Kind k = c.next_kind();
            if (k == Kind::String) {
                row.context_offset = c.offset();
                row.context_raw = c.raw_string();
            } else if (k == Kind::Null) {
                c.skip_value();
            } else {
                type_error(c, key, "string", k);
            }
            break;
        }
        case nModels: {
            Kind k = c.next_kind();
            if (k != Kind::Array) type_error(c, key, "array of model objects", k);
            c.expect('[', "'['");
            has_models = true;
            if (!c.consume(']')) {
                do {
                    row.models.emplace_back();
                    row.models.back().reset();
                    parse_native_model(c, row.models.back(), key, row.models.size() - 1, scratch);
                } while (c.consume(','));
                c.expect(']', "',' or ']'");
            }
            break;
        }
        default:
            if (extra.seen(key)) throw ScanError{key_offset, "duplicate field `" + key + "`"};
            extra.add(key, c.skip_value());
        }
    }
    // A routed live row (`automix run`, `automix serve`'s request log) did not ask every model
    // and may have no gold answer: unknown scores are null there, and make the row unmeasured.
    const bool live_row = extra.has("live");
    row.extra = extra.take();

    std::vector<std::string> missing;
    if (!row.has_id) missing.emplace_back("id");
    if (!row.has_dataset) missing.emplace_back("dataset");
    if (!row.has_split) missing.emplace_back("split");
    if (!has_models) missing.emplace_back("models");
    if (!missing.empty()) throw RowError{missing_message(missing)};
    if (!manifest.empty()) {
        if (row.models.size() != manifest.size())
            throw RowError{"field `models`: expected " + std::to_string(manifest.size()) +
                           " models (as in the manifest), got " + std::to_string(row.models.size())};
        // Match by name, so a row may list the models in any order.
        for (std::size_t i = 0; i < manifest.size(); ++i) {
            if (row.models[i].name == manifest[i].name) continue;
            auto it = std::find_if(row.models.begin() + static_cast<std::ptrdiff_t>(i), row.models.end(),
                                   [&](const PendingModel& m) { return m.name == manifest[i].name; });
            if (it == row.models.end())
                throw RowError{"field `models`: no entry for model `" + manifest[i].name + "`" +
                               (row.models[i].name.empty() ? std::string(" (entries need a `name`)") : std::string())};
            std::swap(row.models[i], *it);
        }
    }
    for (std::size_t i = 0; i < row.models.size(); ++i) {
        const PendingModel& m = row.models[i];
        std::string prefix = "models[" + std::to_string(i) + "].";
        if (m.null_score && !live_row)
            throw ScanError{m.null_score_at, "field `" + prefix + "score`: expected number, got null"};
        if (!m.has_score && !live_row) missing.push_back(prefix + "score");
        // The last model is never verified (method §7); a live row verified only the models it asked.
        if (i + 1 < row.models.size() && !m.has_confidence && !m.has_samples && !(live_row && !m.has_answer))
            missing.push_back(prefix + "verifier_confidence` or `" + prefix + "verifier_samples");
    }
    if (!missing.empty()) throw RowError{missing_message(missing)};
}

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

std::vector<double> default_costs(std::size_t n) {
    if (n == 2) return {1.0, 50.0};
    std::vector<double> costs;
    double c = 1.0;
    for (std::size_t i = 0; i < n; ++i) {
        costs.push_back(c);
        c = i == 0 ? 10.0 : (i == 1 ? 50.0 : c * 5.0);
    }
    return costs;
}

// The documented model limit (dataset.hpp), so that a decision can hold every model index.
template <class Fail>
void check_model_count(std::size_t n, const Fail& fail) {
    if (n > kMaxModels) fail(std::to_string(n) + " models; at most " + std::to_string(kMaxModels) + " are supported");
}

// Finds the top-level keys of the first record, to tell the formats apart. A line broken
// before its keys decide gives a hint only (decided = false): lenient mode then reports it and
// asks the next line, so one broken first line cannot turn a native file into "release".
enum class Format { Release, Native, NativeManifest };
struct Detection {
    Format format = Format::Release;
    bool decided = true;
};
Detection detect_format(std::string_view line) {
    Cursor c(line.data(), line.data() + line.size());
    std::string key;
    bool has_models = false, has_release_score = false;
    try {
        c.expect('{', "'{'");
        bool first = true;
        std::size_t key_offset = 0;
        while (next_key(c, key, first, key_offset)) {
            first = false;
            if (key == "automix_manifest") return {Format::NativeManifest, true};
            if (key == "models") has_models = true;
            if (key == "llama13b_f1" || key == "llama70b_f1") has_release_score = true;
            c.skip_value();
        }
        c.skip_ws();
        if (!c.at_end()) c.fail("");
    } catch (const ScanError&) {
        // The real parse reports the problem; a `models` key seen so far hints at native.
        return {has_models && !has_release_score ? Format::Native : Format::Release, has_release_score};
    }
    return {has_models && !has_release_score ? Format::Native : Format::Release, true};
}

// method §3 from the verdicts: exactly scoring::verifier_confidence on the texts.
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
        bool format_known = false;
        bool reserved = false;
        Format format = Format::Release;
        try {
            while (source->next(line)) {
                if ((line.number & 255) == 0) report_progress(*source, false);
                if (is_blank(line.text)) continue;
                ++content_lines_;
                if (!format_known) {
                    const Detection detection = detect_format(line.text);
                    if (!detection.decided && options_.skip_bad_lines) {
                        report_undecided(line, detection.format);
                        continue;
                    }
                    format_known = true;
                    format = detection.format;
                    d.format = format == Format::Release ? "release" : "native";
                    if (format == Format::Release) setup_release_models();
                    if (format == Format::NativeManifest) {
                        read_manifest(line);
                        continue;
                    }
                }
                if (!reserved) {
                    reserved = true;
                    reserve_for(*source, line.text.size());
                }
                handle_line(line, format);
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
            if (content_lines_ == 1 && format == Format::NativeManifest)
                throw LoadError({path_, 0, 0, "no rows (the file has only the manifest line)"});
            if (line.number > 0)
                throw LoadError({path_, 0, 0,
                                 "no rows (the file has " + std::to_string(line.number) +
                                     (line.number == 1 ? " line, blank)" : " lines, all blank)")});
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

    void setup_release_models() {
        Dataset& d = result_.dataset;
        d.models.resize(2);
        d.models[0].name = "llama13b";
        d.models[0].display_name = "LLaMA-13B";
        d.models[0].call_cost = 1.0;
        d.models[1].name = "llama70b";
        d.models[1].display_name = "LLaMA-70B";
        d.models[1].call_cost = 50.0;
        d.verifier_cost = 1.0;
    }

    void reserve_for(const LineSource& src, std::size_t first_line_bytes) {
        // Only an estimate from the first row (untouched capacity costs address space, not RAM).
        if (src.compressed()) return;
        std::uint64_t per_row = std::max<std::uint64_t>(first_line_bytes, 64);
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
    }

    void read_manifest(const Line& line) {
        Dataset& d = result_.dataset;
        auto fail = [&](std::string msg, std::size_t column = 0) {
            throw LoadError({path_, line.number, column, "manifest: " + msg});
        };
        nlohmann::json j;
        try {
            // Duplicate keys refused as in rows: which value is meant would be a guess.
            j = json::parse_limited(line.text, true);
        } catch (const json::LimitError& e) {
            fail(e.what(), e.offset + 1);
        } catch (const nlohmann::json::parse_error& e) {
            fail("not valid JSON (" + nlohmann_reason(e) + ")", e.byte);
        }
        if (!j.is_object() || !j.contains("automix_manifest") || !j["automix_manifest"].is_object())
            fail("`automix_manifest` must be an object");
        const auto& m = j["automix_manifest"];
        nlohmann::json extra = nlohmann::json::object();
        if (!m.contains("format")) fail("missing `format` (expected \"automix-native-v1\")");
        for (auto it = m.begin(); it != m.end(); ++it) {
            if (it.key() == "format") {
                if (!it->is_string() || it->get<std::string>() != "automix-native-v1")
                    fail("unsupported `format` " + it->dump() + " (expected \"automix-native-v1\")");
            } else if (it.key() == "verifier_cost") {
                d.verifier_cost = manifest_cost(*it, "`verifier_cost`", fail);
            } else if (it.key() != "models") {
                extra[it.key()] = *it;
            }
        }
        if (!extra.empty()) d.manifest_extra_json = extra.dump();
        if (!m.contains("models") || !m["models"].is_array() || m["models"].empty())
            fail("`models` must be a non-empty array");
        const auto& models = m["models"];
        check_model_count(models.size(), [&](const std::string& msg) { fail(msg); });
        std::vector<double> defaults = default_costs(models.size());
        std::unordered_map<std::string, std::size_t> index;
        for (std::size_t i = 0; i < models.size(); ++i) {
            const auto& mm = models[i];
            std::string where = "`models[" + std::to_string(i) + "]`";
            if (!mm.is_object() || !mm.contains("name") || !mm["name"].is_string())
                fail(where + " needs a string `name`");
            ManifestModel model;
            model.name = mm["name"].get<std::string>();
            model.display_name = model.name;
            if (mm.contains("display_name")) {
                if (!mm["display_name"].is_string()) fail(where + ": `display_name` must be a string");
                model.display_name = mm["display_name"].get<std::string>();
            }
            model.cost = defaults[i];
            if (mm.contains("cost")) model.cost = manifest_cost(mm["cost"], where + ": `cost`", fail);
            if (!index.emplace(model.name, i).second) fail("model name `" + model.name + "` appears twice");
            manifest_.push_back(model);
        }
        install_models();
    }

    // A cost from the manifest: a finite, non-negative number (a negative price would make
    // every average cost and lift meaningless).
    template <class Fail>
    static double manifest_cost(const nlohmann::json& v, const std::string& what, const Fail& fail) {
        if (!v.is_number()) fail(what + " must be a number, got " + std::string(v.type_name()));
        const double c = v.get<double>();
        if (!std::isfinite(c) || c < 0) fail(what + " must be a non-negative number, got " + v.dump());
        return c;
    }

    static std::string nlohmann_reason(const nlohmann::json::parse_error& e) {
        std::string what = e.what();
        const auto at = what.find("syntax error");
        return at == std::string::npos ? what : what.substr(at);
    }

    void install_models() {
        Dataset& d = result_.dataset;
        d.models.resize(manifest_.size());
        for (std::size_t i = 0; i < manifest_.size(); ++i) {
            d.models[i].name = manifest_[i].name;
            d.models[i].display_name = manifest_[i].display_name;
            d.models[i].call_cost = manifest_[i].cost;
        }
    }

    // Lenient mode, a first line that does not show the format: its problem as the hinted
    // format's parser sees it.
    void report_undecided(const Line& line, Format hint) {
        Cursor c(line.text.data(), line.text.data() + line.text.size());
        try {
            if (hint == Format::Native)
                parse_native_row(c, row_, extra_, key_, scratch_, manifest_);
            else
                parse_release_row(c, row_, extra_, key_, scratch_);
            c.skip_ws();
            if (!c.at_end()) c.fail("unexpected text after the JSON object");
            problem(line.number, 0, "cannot tell the file's format from this line");
        } catch (const ScanError& e) {
            problem(line.number, e.offset + 1, e.message);
        } catch (const RowError& e) {
            problem(line.number, 0, e.message);
        }
    }

    void problem(std::size_t line, std::size_t column, std::string message) {
        LoadProblem p{path_, line, column, std::move(message)};
        if (!options_.skip_bad_lines) throw LoadError(std::move(p));
        ++result_.bad_lines;
        if (result_.problems.size() < options_.max_reported_problems) result_.problems.push_back(std::move(p));
    }

    void handle_line(const Line& line, Format format) {
        Cursor c(line.text.data(), line.text.data() + line.text.size());
        try {
            if (format == Format::Release) {
                parse_release_row(c, row_, extra_, key_, scratch_);
            } else {
                parse_native_row(c, row_, extra_, key_, scratch_, manifest_);
                if (manifest_.empty()) adopt_models_from_first_row();
            }
            c.skip_ws();
            if (!c.at_end()) c.fail("unexpected text after the JSON object");
            commit(line);
        } catch (const ScanError& e) {
            problem(line.number, e.offset + 1, e.message);
        } catch (const RowError& e) {
            problem(line.number, 0, e.message);
        }
    }

    // Native file without a manifest: the first row names the models.
    void adopt_models_from_first_row() {
        if (row_.models.empty()) throw RowError{"field `models`: needs at least one model"};
        check_model_count(row_.models.size(), [](const std::string& msg) { throw RowError{"field `models`: " + msg}; });
        std::vector<double> costs = default_costs(row_.models.size());
        std::unordered_map<std::string, std::size_t> index;
        std::vector<ManifestModel> models;
        for (std::size_t i = 0; i < row_.models.size(); ++i) {
            const std::string& name = row_.models[i].name;
            if (name.empty())
                throw RowError{"field `models[" + std::to_string(i) +
                               "].name`: needed to name the models (there is no manifest)"};
            if (auto [it, fresh] = index.emplace(name, i); !fresh)
                throw RowError{"field `models[" + std::to_string(i) + "].name`: model name `" + name +
                               "` appears twice (first at models[" + std::to_string(it->second) + "])"};
            models.push_back({name, name, costs[i]});
        }
        manifest_ = std::move(models);
        install_models();
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

    void commit(const Line& line) {
        Dataset& d = result_.dataset;
        const auto row = static_cast<RowIndex>(d.size());
        // Validate everything before touching a column, so a bad row leaves no trace.
        Category category = Category::Undefined;
        if (row_.has_category && !parse_category(row_.category, category))
            throw RowError{"field `category`: expected NEEDY, GOOD, HOPELESS or UNDEFINED, got `" + row_.category +
                           "`"};
        long long first = id_index_.find_or_add(row_.id, row, d.id);
        if (first >= 0)
            throw RowError{"duplicate id `" + row_.id + "` (first on line " +
                           std::to_string(d.source_line[static_cast<std::size_t>(first)]) + ")"};
        if (d.size() >= 0xFFFFFFFFu) throw RowError{"more than 4294967295 rows"};
        std::uint16_t dataset = intern_dataset(row_.dataset);
        Split split = parse_split(row_.split);
        if (!row_.context_raw.empty() && row_.context_raw.size() > 0xFFFFFFFFu)
            throw RowError{"context longer than 4 GiB"};

        std::vector<double> computed_confidence(row_.models.size(), kMissing);
        for (std::size_t i = 0; i < row_.models.size(); ++i) {
            PendingModel& m = row_.models[i];
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
        d.id.push_back(std::move(row_.id));
        d.pid.push_back(std::move(row_.pid));
        d.question.push_back(std::move(row_.question));
        d.gold.push_back(std::move(row_.gold));
        d.dataset_index.push_back(dataset);
        d.split.push_back(split);
        if (split == Split::Other) {
            d.split_label.resize(row);
            d.split_label.push_back(row_.split);
        } else if (!d.split_label.empty()) {
            d.split_label.emplace_back();
        }
        d.category.push_back(category);
        d.category_from_file.push_back(row_.has_category ? 1 : 0);
        d.extra_json.push_back(std::move(row_.extra));
        d.source_line.push_back(static_cast<std::uint32_t>(std::min<std::size_t>(line.number, 0xFFFFFFFFu)));
        for (std::size_t i = 0; i < d.models.size(); ++i) {
            ModelColumns& col = d.models[i];
            PendingModel& m = row_.models[i];
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
        for (const auto& m : row_.models)
            if (!m.has_score) {
                ++unknown_scores_;
                d.unmeasured.resize(d.size(), 0);
                d.unmeasured.back() = 1;
            }
        if (!row_.has_question) ++no_question_;
        if (!d.models.empty() && !row_.models[0].has_answer) ++no_answer_;
        if (row_.context_raw.empty()) {
            ++no_context_;
        } else if (store_) {
            auto length = static_cast<std::uint32_t>(row_.context_raw.size());
            if (compressed_)
                store_->append(row, row_.context_raw);  // the same spill file as the samples
            else
                store_->set(row, line.offset + row_.context_offset, length);
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
            std::string lower = d.split_label[r];
            for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (lower == "train" || lower == "val") ++odd[d.split_label[r]];
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
    std::vector<ManifestModel> manifest_;
    IdIndex id_index_;
    PendingRow row_;
    ExtraFields extra_;
    std::string key_;
    std::string scratch_;  // one decoded verifier sample at a time
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
