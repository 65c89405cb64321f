// The AutoMix JSONL formats: "release" (the authors' public data, two models, flat fields) and
// "native" (N models, an optional manifest line, a `models` array per row). Both are read with
// one field table (kFields) and one value reader (read_field), so a field means the same in both
// and is checked the same way; only the key names and the nesting differ.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/data/format.hpp"
#include "core/data/json_parse.hpp"
#include "core/data/json_scan.hpp"
#include "core/data/python_repr.hpp"
#include "core/data/row_parser.hpp"
#include "core/data/writer.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::data {

namespace {

using json::Cursor;
using json::Kind;
using json::ScanError;

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
    auto verdict = [](std::string_view text) { return sample_verdict(scoring::verdict(text)); };
    if (k == Kind::Array) {
        m.samples_offset = c.offset();
        const char* start = c.pos();
        c.expect('[', "'['");
        if (!c.consume(']')) {
            do {
                // Most samples are plain ASCII: read and judged in one pass.
                c.skip_ws();
                if (const auto plain = scoring::scan_json_sample(c.pos(), c.end())) {
                    c.skip_to(plain->end);
                    m.verdicts.push_back(sample_verdict(plain->verdict));
                    continue;
                }
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
                    m.verdicts.push_back(sample_verdict(scoring::verdict_of_json_body(raw.substr(1, raw.size() - 2))));
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


// --- the one field table -------------------------------------------------------------------

// What a field fills in. Row targets first, then per-model ones.
enum class Target : std::uint8_t { Id, Pid, Context, Question, Gold, Dataset, Split, Category, Models,
                                   Name, Answer, Score, Samples, Confidence };
bool per_model(Target t) {
    return t >= Target::Name;
}

struct FieldSpec {
    Target target;
    std::string_view native;   // key in a native row, or in a native `models[i]` object
    std::string_view release;  // key in a release row ("" when the release format has none)
    int release_model;         // per-model fields: the model the release key belongs to
};
constexpr FieldSpec kFields[] = {
    {Target::Id, "id", "id", -1},
    {Target::Pid, "pid", "pid", -1},
    {Target::Context, "context", "base_ctx", -1},
    {Target::Question, "question", "question", -1},
    {Target::Gold, "gold", "output", -1},
    {Target::Dataset, "dataset", "dataset", -1},
    {Target::Split, "split", "split", -1},
    {Target::Category, "category", "category", -1},
    {Target::Models, "models", "", -1},
    {Target::Name, "name", "", -1},
    {Target::Answer, "answer", "llama13b_pred_ans", 0},
    {Target::Answer, "answer", "llama70b_pred_ans", 1},
    {Target::Score, "score", "llama13b_f1", 0},
    {Target::Score, "score", "llama70b_f1", 1},
    {Target::Samples, "verifier_samples", "llama13b_ver", 0},
    {Target::Confidence, "verifier_confidence", "p_ver_13b", 0},
};
constexpr int kFieldCount = static_cast<int>(std::size(kFields));
static_assert(kFieldCount <= 32, "duplicate detection keeps one bit per field");

enum class Dialect { Release, Native };

// Index into kFields of a row key (release: also the flattened per-model keys), or -1.
int row_field(Dialect dialect, std::string_view key) {
    for (int i = 0; i < kFieldCount; ++i) {
        const FieldSpec& f = kFields[i];
        // (An empty key is a valid JSON key: it must not match a field that has no release name.)
        if (dialect == Dialect::Release ? (!f.release.empty() && key == f.release)
                                        : (!per_model(f.target) && key == f.native))
            return i;
    }
    return -1;
}
// Index into kFields of a key inside a native `models[i]` object, or -1.
int model_field(std::string_view key) {
    for (int i = 0; i < kFieldCount; ++i)
        if (per_model(kFields[i].target) && key == kFields[i].native) return i;
    return -1;
}
// The release key of a per-model target of `model` (for "missing field" messages).
std::string release_key(Target t, int model) {
    for (const FieldSpec& f : kFields)
        if (f.target == t && f.release_model == model) return std::string(f.release);
    return {};
}

// Reads the value of one known field into the row (`m`: the model of a per-model field).
void read_field(Cursor& c, Target target, std::string_view field, PendingRow* row, PendingModel* m,
                std::string& scratch) {
    switch (target) {
    case Target::Id: row->has_id = read_string(c, field, row->id, true); break;
    case Target::Pid: row->has_pid = read_string(c, field, row->pid, false); break;
    case Target::Question: row->has_question = read_string(c, field, row->question, false); break;
    case Target::Gold: row->has_gold = read_string(c, field, row->gold, false); break;
    case Target::Dataset: row->has_dataset = read_string(c, field, row->dataset, true); break;
    case Target::Split: row->has_split = read_string(c, field, row->split, true); break;
    case Target::Category: row->has_category = read_string(c, field, row->category, false); break;
    case Target::Context: {
        // Kept as a raw token and its place: contexts are read from the file on demand.
        Kind k = c.next_kind();
        if (k == Kind::String) {
            row->context_offset = c.offset();
            row->context_raw = c.raw_string();
        } else if (k == Kind::Null) {
            c.skip_value();
        } else {
            type_error(c, field, "string", k);
        }
        break;
    }
    case Target::Name: read_string(c, field, m->name, true); break;
    case Target::Answer: m->has_answer = read_string(c, field, m->answer, false); break;
    case Target::Score: {
        c.next_kind();
        const std::size_t at = c.offset();
        m->score = read_score(c, field, m->has_score);
        m->null_score = !m->has_score;
        m->null_score_at = at;
        break;
    }
    case Target::Samples: m->has_samples = read_samples(c, field, *m, scratch); break;
    case Target::Confidence: m->confidence = read_score(c, field, m->has_confidence); break;
    case Target::Models: break;  // the native parser reads the array itself
    }
}

// Scratch state reused from row to row (no allocation per row).
struct Scratch {
    ExtraFields extra;
    std::string key;
    std::string text;  // one decoded verifier sample at a time
};

void parse_native_model(Cursor& c, PendingModel& m, std::size_t index, Scratch& s);

// The one field loop of both formats: each key is looked up in kFields (by the dialect's
// names) and its value read by read_field; unknown fields are kept. Returns whether the row
// had a `models` array (native only).
bool read_row_fields(Cursor& c, PendingRow& row, Scratch& s, Dialect dialect) {
    ExtraFields& extra = s.extra;
    extra.clear();
    unsigned seen = 0;
    bool has_models = false;
    expect_object_start(c);
    c.expect('{', "'{'");
    bool first = true;
    std::size_t key_offset = 0;
    while (next_key(c, s.key, first, key_offset)) {
        first = false;
        const int f = row_field(dialect, s.key);
        if (f < 0) {
            if (extra.seen(s.key)) throw ScanError{key_offset, "duplicate field `" + s.key + "`"};
            extra.add(s.key, c.skip_value());
            continue;
        }
        if (seen & (1u << f)) throw ScanError{key_offset, "duplicate field `" + s.key + "`"};
        seen |= 1u << f;
        const FieldSpec& spec = kFields[f];
        if (spec.target == Target::Models) {
            Kind k = c.next_kind();
            if (k != Kind::Array) type_error(c, s.key, "array of model objects", k);
            c.expect('[', "'['");
            has_models = true;
            if (!c.consume(']')) {
                do {
                    row.models.emplace_back();
                    row.models.back().reset();
                    parse_native_model(c, row.models.back(), row.models.size() - 1, s);
                } while (c.consume(','));
                c.expect(']', "',' or ']'");
            }
            continue;
        }
        PendingModel* m = spec.release_model >= 0 ? &row.models[static_cast<std::size_t>(spec.release_model)] : nullptr;
        read_field(c, spec.target, s.key, &row, m, s.text);
        // The release format has no unknown scores: `null` is a type error where it stands.
        if (dialect == Dialect::Release && spec.target == Target::Score && !m->has_score)
            type_error(c, s.key, "number", Kind::Null);
    }
    return has_models;
}

void parse_release_row(Cursor& c, PendingRow& row, Scratch& s) {
    row.clear(2);
    read_row_fields(c, row, s, Dialect::Release);
    ExtraFields& extra = s.extra;
    row.extra = extra.take();

    const PendingModel& slm = row.models[0];
    const PendingModel& llm = row.models[1];
    std::vector<std::string> missing;
    if (!row.has_id) missing.emplace_back("id");
    if (!row.has_dataset) missing.emplace_back("dataset");
    if (!row.has_split) missing.emplace_back("split");
    if (!slm.has_score) missing.push_back(release_key(Target::Score, 0));
    // A routed `automix run` output (it has a `live` object) asks the large model only when it
    // escalates: its score on the other rows is unknown (NaN), not missing by mistake.
    if (!llm.has_score && !extra.has("live")) missing.push_back(release_key(Target::Score, 1));
    if (!slm.has_confidence && !slm.has_samples)
        missing.push_back(release_key(Target::Confidence, 0) + "` or `" + release_key(Target::Samples, 0));
    if (!missing.empty()) throw RowError{missing_message(missing)};
}

void parse_native_model(Cursor& c, PendingModel& m, std::size_t index, Scratch& s) {
    std::string prefix = "models[" + std::to_string(index) + "].";
    Kind k = c.next_kind();
    if (k != Kind::Object)
        c.fail("field `models[" + std::to_string(index) + "]`: expected object, got " +
               std::string(json::kind_name(k)));
    c.expect('{', "'{'");
    ExtraFields extra;
    unsigned seen = 0;
    bool first = true;
    std::size_t key_offset = 0;
    while (next_key(c, s.key, first, key_offset)) {
        first = false;
        const int f = model_field(s.key);
        if (f >= 0) {
            if (seen & (1u << f)) throw ScanError{key_offset, "duplicate field `" + prefix + s.key + "`"};
            seen |= 1u << f;
        } else if (extra.seen(s.key)) {
            throw ScanError{key_offset, "duplicate field `" + prefix + s.key + "`"};
        }
        if (f >= 0) {
            read_field(c, kFields[f].target, prefix + s.key, nullptr, &m, s.text);  // per-model: no row
        } else {
            extra.add(s.key, c.skip_value());
        }
    }
    m.extra = extra.take();
}

using ManifestModel = ModelInfo;

void parse_native_row(Cursor& c, PendingRow& row, Scratch& s, const std::vector<ManifestModel>& manifest) {
    row.clear(0);
    const bool has_models = read_row_fields(c, row, s, Dialect::Native);
    ExtraFields& extra = s.extra;
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

// --- telling the two apart ------------------------------------------------------------------

// The top-level keys of the first record decide: a manifest or a `models` array is native,
// anything else (also a line that is not JSON at all) is read as release. A line broken before
// its keys decide gives a hint only (decided = false).
enum class Guess { Release, Native, NativeManifest };
struct Detection {
    Guess guess = Guess::Release;
    bool decided = true;
};
Detection detect(std::string_view line) {
    Cursor c(line.data(), line.data() + line.size());
    std::string key;
    bool has_models = false, has_release_score = false;
    try {
        c.expect('{', "'{'");
        bool first = true;
        std::size_t key_offset = 0;
        while (next_key(c, key, first, key_offset)) {
            first = false;
            if (key == "automix_manifest") return {Guess::NativeManifest, true};
            if (key == "models") has_models = true;
            if (key == release_key(Target::Score, 0) || key == release_key(Target::Score, 1)) has_release_score = true;
            c.skip_value();
        }
        c.skip_ws();
        if (!c.at_end()) c.fail("");
    } catch (const ScanError&) {
        // The real parse reports the problem; a `models` key seen so far hints at native.
        return {has_models && !has_release_score ? Guess::Native : Guess::Release, has_release_score};
    }
    return {has_models && !has_release_score ? Guess::Native : Guess::Release, true};
}

// A JSON line claims the file firmly; anything else is still read as release (weakly), so that
// a file no format recognises gets the release reader's "expected a JSON object" error.
constexpr int kJsonScore = 50;
constexpr int kFallbackScore = 1;
bool looks_like_json(std::string_view line) {
    const auto at = line.find_first_not_of(" \t");
    return at != std::string_view::npos && line[at] == '{';
}


// --- the two formats ------------------------------------------------------------------------

class ReleaseParser : public RowParser {
  public:
    bool start(const Line&, Dataset& d) override {
        set_models(d, {{"llama13b", "LLaMA-13B", 1.0}, {"llama70b", "LLaMA-70B", 50.0}});
        d.verifier_cost = 1.0;
        return false;
    }
    void parse(const Line& line, const std::function<bool(Line&)>&, PendingRow& row) override {
        Cursor c(line.text.data(), line.text.data() + line.text.size());
        parse_release_row(c, row, scratch_);
        c.skip_ws();
        if (!c.at_end()) c.fail("unexpected text after the JSON object");
    }
    std::unique_ptr<RowParser> worker_copy() const override { return std::make_unique<ReleaseParser>(); }

  private:
    Scratch scratch_;
};

class NativeParser : public RowParser {
  public:
    bool start(const Line& first, Dataset& d) override {
        dataset_ = &d;
        if (detect(first.text).guess != Guess::NativeManifest) return false;
        read_manifest(first, d);
        return true;
    }
    void parse(const Line& line, const std::function<bool(Line&)>&, PendingRow& row) override {
        Cursor c(line.text.data(), line.text.data() + line.text.size());
        parse_native_row(c, row, scratch_, manifest_);
        // Without a manifest the first row names the models (not while only sniffing: no start).
        if (dataset_ && manifest_.empty()) adopt_models_from_first_row(row, *dataset_);
        c.skip_ws();
        if (!c.at_end()) c.fail("unexpected text after the JSON object");
    }
    std::string header_only_message() const override { return "no rows (the file has only the manifest line)"; }
    std::unique_ptr<RowParser> worker_copy() const override {
        if (manifest_.empty()) return nullptr;  // the first row is still to name the models
        auto copy = std::make_unique<NativeParser>();
        copy->manifest_ = manifest_;  // no dataset_: a copy never installs models
        return copy;
    }

  private:
    void read_manifest(const Line& line, Dataset& d) {
        auto fail = [&](std::string msg, std::size_t column = 0) {
            throw LineError{line.number, column, "manifest: " + msg};
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
        install_models(d);
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

    void install_models(Dataset& d) { set_models(d, manifest_); }

    // Native file without a manifest: the first row names the models.
    void adopt_models_from_first_row(const PendingRow& row, Dataset& d) {
        if (row.models.empty()) throw RowError{"field `models`: needs at least one model"};
        check_model_count(row.models.size(), [](const std::string& msg) { throw RowError{"field `models`: " + msg}; });
        std::vector<double> costs = default_costs(row.models.size());
        std::unordered_map<std::string, std::size_t> index;
        std::vector<ManifestModel> models;
        for (std::size_t i = 0; i < row.models.size(); ++i) {
            const std::string& name = row.models[i].name;
            if (name.empty())
                throw RowError{"field `models[" + std::to_string(i) +
                               "].name`: needed to name the models (there is no manifest)"};
            if (auto [it, fresh] = index.emplace(name, i); !fresh)
                throw RowError{"field `models[" + std::to_string(i) + "].name`: model name `" + name +
                               "` appears twice (first at models[" + std::to_string(it->second) + "])"};
            models.push_back({name, name, costs[i]});
        }
        manifest_ = std::move(models);
        install_models(d);
    }

    Dataset* dataset_ = nullptr;
    std::vector<ManifestModel> manifest_;
    Scratch scratch_;
};

}  // namespace

AUTOMIX_REGISTER_FORMAT(release, {
    "release",
    "AutoMix release JSONL: the authors' public data, two models (llama13b, llama70b)",
    {".jsonl", ".json"},
    10,
    [](std::string_view, std::string_view line) {
        const Detection d = detect(line);
        if (d.guess != Guess::Release) return Sniff{0, true};
        return Sniff{looks_like_json(line) ? kJsonScore : kFallbackScore, d.decided};
    },
    [] { return std::unique_ptr<RowParser>(new ReleaseParser); },
    [](const Dataset& d, const View& rows, std::ostream& out) { write_release_jsonl(d, rows, out); },
})

AUTOMIX_REGISTER_FORMAT(native, {
    "native",
    "AutoMix native JSONL: N models, optional manifest line first",
    {".jsonl", ".json"},
    20,
    [](std::string_view, std::string_view line) {
        const Detection d = detect(line);
        return d.guess == Guess::Release ? Sniff{0, true} : Sniff{kJsonScore, d.decided};
    },
    [] { return std::unique_ptr<RowParser>(new NativeParser); },
    [](const Dataset& d, const View& rows, std::ostream& out) { write_native_jsonl(d, rows, out); },
})

}  // namespace automix::data
