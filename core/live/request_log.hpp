#pragma once
// The request log of `automix serve`: every served request appended as one row of the native
// JSONL format (a manifest line first, then the `automix run` output record of the request,
// plus a `serve` object), so the explorer opens production traffic and shows its routing.
// Rows without a gold answer have unknown scores and load as unmeasured rows; rows of
// requests sampled with --run-all-models hold every model's answer and verifier samples.
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/live/models_config.hpp"

namespace automix::live {

class RequestLog {
  public:
    // Opens `path` for appending, writing the manifest when the file is new or empty. Throws
    // std::runtime_error when it cannot be written, or when it already holds a log of other
    // models (rows of two model ladders in one file would not load).
    RequestLog(const std::string& path, const ModelsConfig& cfg);
    ~RequestLog();
    RequestLog(const RequestLog&) = delete;
    RequestLog& operator=(const RequestLog&) = delete;

    // Appends one record as one line with a single write (lines of concurrent requests never
    // interleave). Throws std::runtime_error on a write error.
    void append(const nlohmann::json& record);
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
    std::mutex mutex_;
};

// The manifest line of a log for `cfg` (the native format's first line, as `automix run` writes it).
nlohmann::json request_log_manifest(const ModelsConfig& cfg);

}  // namespace automix::live
