#pragma once
// Content-addressed, append-only store of completed model calls, so a killed run restarted
// with the same inputs re-uses every finished call and pays for nothing twice.
//
// File `<dir>/calls.log`: a version line `automix-response-cache 1`, then one record per line,
// `<crc32 as 8 hex digits> <compact JSON>\n`. A record is appended with a single write() on an
// O_APPEND descriptor, so a crash leaves at worst one torn last line, which the checksum
// exposes. Lines this binary cannot read (torn, corrupt, or from a newer format) are skipped
// with a warning and kept in the file: the cache never deletes a paid call. A file whose
// version line is newer than this binary's is refused. calls.log is opened without following
// symlinks. The key is the SHA-256 of the request's identity (endpoint, model, prompt,
// sampling parameters, sample index) and never includes the API key.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace automix::live {

struct CachedCall {
    std::string key;    // 64 hex digits
    std::string text;   // the completion text of this sample
    std::string model;  // config name of the model, for humans reading the file
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    double cost = 0.0;       // money actually paid for this sample's share of the call
    bool estimated = false;  // cost estimated from text length (the reply had no `usage`)
};

inline constexpr int kCacheFormatVersion = 1;
inline const std::string kCacheHeaderPrefix = "automix-response-cache ";

class ResponseCache {
  public:
    // Opens (creating when needed) the cache in `dir`. Throws std::runtime_error with the path
    // and reason on I/O errors or when another process holds the cache.
    explicit ResponseCache(const std::string& dir);
    ~ResponseCache();
    ResponseCache(const ResponseCache&) = delete;
    ResponseCache& operator=(const ResponseCache&) = delete;

    std::optional<CachedCall> find(const std::string& key) const;
    // Appends and indexes one record. Throws std::runtime_error on a write error.
    void put(const CachedCall& call);
    std::size_t size() const;
    // Problems met while opening ("line 17: unreadable record kept in the file (checksum mismatch)").
    const std::vector<std::string>& warnings() const { return warnings_; }
    std::string file_path() const { return path_; }

    // Serialised record line (without the newline) and its parser; exposed for tests.
    static std::string encode(const CachedCall& call);
    static std::optional<CachedCall> decode(const std::string& line, std::string* why);

  private:
    void load();
    std::string path_;
    int fd_ = -1;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, CachedCall> index_;
    std::vector<std::string> warnings_;
};

// The cache key of one sample: SHA-256 over a canonical JSON of the request identity.
// `params` holds the sampling parameters (temperature, max_tokens, stop, ...).
std::string call_key(const std::string& base_url, const std::string& api, const std::string& model_id,
                     const std::string& prompt, const std::string& params_json, int sample_index);

}  // namespace automix::live
