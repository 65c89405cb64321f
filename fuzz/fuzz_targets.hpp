#pragma once
// Every libFuzzer target, as a plain function listed once in kTargets at the end: the fuzz build
// makes one executable fuzz_<name> per entry (fuzz/fuzz_main.cpp), scripts/fuzz runs them, and
// tests/core/test_fuzz_regressions.cpp replays the seed corpora (fuzz/corpus/<name>/) and every
// crash input ever found through the same functions in the normal (non-fuzz) build.
// A new target: its function here, one line in kTargets, and a seed in fuzz/corpus/<name>/.
#include "core/data/reader.hpp"
#include "core/eval/router_scores.hpp"
#include "core/live/chat_api.hpp"
#include "core/live/models_config.hpp"
#include "core/live/provider.hpp"
#include "core/live/response_cache.hpp"
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check_dataset.hpp"
#include "fuzz/fuzz_scratch.hpp"

namespace fuzz {

// Loads `path` strictly, then leniently. Either may only throw LoadError; whatever loads must
// be internally consistent and pass `check` (given the load's result and its options).
template <class Check>
void load_both_ways(const std::string& path, Check check) {
    using namespace automix::data;
    for (bool lenient : {false, true}) {
        LoadOptions o;
        o.skip_bad_lines = lenient;
        try {
            const LoadResult r = load_file(path, o);
            fuzz::check_dataset(r.dataset);
            check(r, o);
        } catch (const LoadError&) {
        }
    }
}

// libFuzzer target: the data reader on arbitrary bytes. Every registered format is detected
// from the bytes (core/data/format.hpp), so its seeds here reach it: a new format adds a seed
// to fuzz/corpus/release_reader/. Gzip is reachable too. Strict mode may only throw
// LoadError; so may lenient mode, and whatever loads is internally consistent.
inline int release_reader(const std::uint8_t* data, std::size_t size) {
    using namespace automix::data;
    load_both_ways(fuzz::write_scratch("input.jsonl", data, size), [](const LoadResult& r, const LoadOptions& o) {
        fuzz::require(r.problems.size() <= o.max_reported_problems);
        fuzz::require(r.problems.size() <= r.bad_lines || !o.skip_bad_lines);
    });
    return 0;
}

// libFuzzer target: the native N-model reader. The first input byte picks the manifest: a
// fixed valid 3-model manifest is put in front of the rest (so mutations go to the rows), or
// the bytes are taken as they are (so the manifest parser is fuzzed too).
inline const std::string kNativeManifest =
    "{\"automix_manifest\":{\"format\":\"automix-native-v1\",\"models\":[{\"name\":\"small\",\"cost\":1},"
    "{\"name\":\"medium\",\"cost\":10},{\"name\":\"large\",\"cost\":50}],\"verifier_cost\":1}}\n";

inline int native_reader(const std::uint8_t* data, std::size_t size) {
    using namespace automix::data;
    if (size == 0) return 0;
    std::string text;
    if (data[0] & 1) text = kNativeManifest;
    text.append(reinterpret_cast<const char*>(data + 1), size - 1);
    load_both_ways(fuzz::write_scratch("input.jsonl", reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                   [](const LoadResult&, const LoadOptions&) {});
    return 0;
}

// libFuzzer target: the models-config parser. Any input must give a config or a ConfigError;
// an accepted config must satisfy what the parser promises (at least two models, sane limits).
inline int models_config(const std::uint8_t* data, std::size_t size) {
    using namespace automix::live;
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        ModelsConfig cfg = parse_models_config(text, "fuzz.json", fuzz::scratch_dir());
        fuzz::require(cfg.models.size() >= 2);
        for (const auto& m : cfg.models) {
            fuzz::require(!m.name.empty());
            fuzz::require(m.max_concurrency > 0);
            fuzz::require(m.timeout_s > 0);
        }
        fuzz::require(cfg.verifier.k > 0);
    } catch (const ConfigError& e) {
        fuzz::require(!e.problems.empty());
    }
    return 0;
}

// libFuzzer target: parsing of a completion response body. The first byte picks the API and
// how many choices are expected; the parser must never throw and must honour that count.
inline int http_response(const std::uint8_t* data, std::size_t size) {
    using namespace automix::live;
    if (size == 0) return 0;
    const Provider& api = (data[0] & 1) ? openai_chat_provider() : openai_completions_provider();
    const int expected = 1 + ((data[0] >> 1) & 7);
    const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string why;
    auto c = parse_completion(api, body, expected, &why);
    if (c) {
        fuzz::require(c->texts.size() >= static_cast<std::size_t>(expected));
        fuzz::require(c->prompt_tokens >= 0 && c->completion_tokens >= 0);
    } else {
        fuzz::require(!why.empty());
    }
    return 0;
}

// libFuzzer target: opening a response cache whose calls.log holds arbitrary records. Lines
// starting with '!' are written as they are; every other line gets its correct CRC-32
// prefix, so the fuzzer reaches the record parser instead of stopping at the checksum.
// After opening, the cache must hold only records that decode, and the file must be clean:
// reopening it gives the same records and no warnings.
inline std::string with_crc(const std::string& body) {
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
    char buf[10];
    std::snprintf(buf, sizeof buf, "%08lx ", static_cast<unsigned long>(crc & 0xffffffffUL));
    return buf + body;
}

inline int cache_reader(const std::uint8_t* data, std::size_t size) {
    using namespace automix::live;
    const std::string in(reinterpret_cast<const char*>(data), size);
    std::string file;
    std::size_t pos = 0;
    while (pos < in.size()) {
        const std::size_t nl = in.find('\n', pos);
        const std::string line = in.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        std::string record = (!line.empty() && line[0] == '!') ? line.substr(1) : with_crc(line);
        std::string why;
        (void)ResponseCache::decode(record, &why);
        file += record;
        if (nl == std::string::npos) break;  // the last record stays cut short, as after a crash
        file += '\n';
        pos = nl + 1;
    }
    const std::string dir = fuzz::scratch_dir() + "/cache";
    std::filesystem::create_directories(dir);
    fuzz::write_scratch("cache/calls.log", reinterpret_cast<const std::uint8_t*>(file.data()), file.size());
    // Opening never deletes a paid call: unreadable lines stay in the file (at most a newline is
    // added after a torn last line), so a second opening reads exactly what the first did.
    // A first line naming another format version is refused as a whole (it must not be written
    // into); that refusal is the one error opening may raise, and it leaves the file untouched.
    const bool other_version = file.rfind(kCacheHeaderPrefix, 0) == 0 &&
                               file.substr(0, file.find('\n')) != kCacheHeaderPrefix + std::to_string(kCacheFormatVersion);
    auto read_back = [&] {
        std::ifstream kept(dir + "/calls.log", std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
    };
    std::size_t first_size = 0, first_warnings = 0;
    try {
        ResponseCache cache(dir);
        first_size = cache.size();
        first_warnings = cache.warnings().size();
    } catch (const std::runtime_error& e) {
        fuzz::require(other_version && std::string(e.what()).find("format version") != std::string::npos);
        fuzz::require(read_back() == file);
        return 0;
    }
    fuzz::require(!other_version);
    fuzz::require(read_back().compare(0, file.size(), file) == 0);
    ResponseCache again(dir);
    fuzz::require(again.size() == first_size);
    fuzz::require(again.warnings().size() == first_warnings);
    return 0;
}

// libFuzzer target: the native manifest line. The input (with its line breaks taken out, so
// it stays the first line) is the manifest, followed by two fixed rows for a two-model
// manifest named s, l. Whatever loads must be consistent; everything else is a LoadError.
inline const std::string kManifestRows =
    "{\"id\":\"n0\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":\"s\",\"score\":0.5,"
    "\"verifier_confidence\":0.5},{\"name\":\"l\",\"score\":1}]}\n"
    "{\"id\":\"n1\",\"dataset\":\"d\",\"split\":\"val\",\"models\":[{\"name\":\"s\",\"score\":1,"
    "\"verifier_confidence\":1},{\"name\":\"l\",\"score\":0}]}\n";

inline int native_manifest(const std::uint8_t* data, std::size_t size) {
    using namespace automix::data;
    std::string text(reinterpret_cast<const char*>(data), size);
    for (char& c : text)
        if (c == '\n') c = ' ';
    text += "\n" + kManifestRows;
    load_both_ways(
        fuzz::write_scratch("manifest.jsonl", reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
        [](const LoadResult& r, const LoadOptions&) {
            fuzz::require(r.dataset.model_count() <= kMaxModels);
            fuzz::require(std::isfinite(r.dataset.verifier_cost) && r.dataset.verifier_cost >= 0);
            for (const auto& m : r.dataset.models) fuzz::require(std::isfinite(m.call_cost) && m.call_cost >= 0);
        });
    return 0;
}

// libFuzzer target: the router-scores reader. The first byte picks the file name (CSV or
// JSONL; the JSONL reader is also chosen by a leading '{'); the rest is the file. Only a
// RouterScoresError may come out, and what loads has finite scores.
inline int router_scores(const std::uint8_t* data, std::size_t size) {
    using namespace automix::eval;
    if (size == 0) return 0;
    const std::string name = (data[0] & 1) ? "scores.jsonl" : "scores.csv";
    const std::string path = fuzz::write_scratch(name, data + 1, size - 1);
    try {
        const RouterScores s = load_router_scores(path, (data[0] & 2) ? "r" : "");
        for (const auto& [key, score] : s.scores) fuzz::require(std::isfinite(score));
        fuzz::require(!s.column.empty());
    } catch (const RouterScoresError&) {
    }
    return 0;
}

// libFuzzer target: the request parser of `automix serve` (a client's /v1/chat/completions
// body). It never throws: a body either gives a model and a question that is not blank, or
// is refused with a 4xx OpenAI error object that is itself valid JSON; whatever parses can
// be answered (the reply and its SSE form are valid JSON whatever bytes the question holds).
inline int chat_request(const std::uint8_t* data, std::size_t size) {
    using namespace automix::live;
    const std::string body(reinterpret_cast<const char*>(data), size);
    ApiError error;
    const auto request = parse_chat_request(body, &error);
    if (!request) {
        fuzz::require(error.status >= 400 && error.status < 500 && !error.message.empty());
        const auto reply = nlohmann::json::parse(error_reply(error).body, nullptr, false);
        fuzz::require(reply.is_object() && reply["error"]["message"].is_string());
        return 0;
    }
    fuzz::require(!request->model.empty());
    fuzz::require(request->question.find_first_not_of(" \t\r\n") != std::string::npos);
    const auto usage = nlohmann::json::object();
    const auto automix = nlohmann::json{{"path", {"m"}}};
    fuzz::require(!completion_object("id", 0, request->model, request->question, usage, automix)
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                       .empty());
    const std::string sse =
        completion_stream("id", 0, request->model, request->question, usage, automix, request->include_usage_in_stream);
    std::size_t at = 0, events = 0;
    while ((at = sse.find("data: ", at)) != std::string::npos) {
        const std::size_t end = sse.find("\n\n", at);
        fuzz::require(end != std::string::npos);
        const std::string payload = sse.substr(at + 6, end - at - 6);
        fuzz::require(payload == "[DONE]" || nlohmann::json::parse(payload, nullptr, false).is_object());
        ++events;
        at = end + 2;
    }
    fuzz::require(events >= 3);
    return 0;
}

// --- the one list of targets -------------------------------------------------------------

struct Target {
    const char* name;  // the executable is fuzz_<name>, the seeds are in fuzz/corpus/<name>/
    int (*run)(const std::uint8_t* data, std::size_t size);
};
inline constexpr Target kTargets[] = {
    {"release_reader", release_reader},   {"native_reader", native_reader}, {"native_manifest", native_manifest},
    {"models_config", models_config},     {"http_response", http_response}, {"cache_reader", cache_reader},
    {"router_scores", router_scores},     {"chat_request", chat_request},
};
inline const Target* find_target(std::string_view name) {
    for (const Target& t : kTargets)
        if (name == t.name) return &t;
    return nullptr;
}

}  // namespace fuzz
