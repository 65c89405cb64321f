#include "core/live/response_cache.hpp"
#include "core/data/json_parse.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/sha256.hpp"

namespace automix::live {

namespace {

std::string crc_hex(const std::string& s) {
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size()));
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08lx", static_cast<unsigned long>(crc & 0xffffffffUL));
    return buf;
}

std::runtime_error io_error(const std::string& what, const std::string& path) {
    return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

bool write_all(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::string call_key(const std::string& base_url, const std::string& api, const std::string& model_id,
                     const std::string& prompt, const std::string& params_json, int sample_index) {
    // nlohmann::json objects are key-sorted, so the dump is canonical.
    nlohmann::json id = {{"endpoint", base_url},  {"api", api},
                         {"model", model_id},     {"prompt", prompt},
                         {"params", params_json}, {"sample", sample_index}};
    return io::sha256_hex(id.dump());
}

std::string ResponseCache::encode(const CachedCall& c) {
    nlohmann::json j = {{"key", c.key},
                        {"model", c.model},
                        {"text", c.text},
                        {"prompt_tokens", c.prompt_tokens},
                        {"completion_tokens", c.completion_tokens},
                        {"cost", c.cost}};
    if (c.estimated) j["estimated"] = true;  // only when set: older records stay byte-identical
    const std::string body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return crc_hex(body) + " " + body;
}

std::optional<CachedCall> ResponseCache::decode(const std::string& line, std::string* why) {
    auto fail = [&](const char* reason) -> std::optional<CachedCall> {
        if (why) *why = reason;
        return std::nullopt;
    };
    if (line.size() < 10 || line[8] != ' ') return fail("malformed record header");
    const std::string body = line.substr(9);
    if (crc_hex(body) != line.substr(0, 8)) return fail("checksum mismatch");
    try {
        const auto j = data::json::parse_limited(body);
        CachedCall c;
        c.key = j.at("key").get<std::string>();
        c.model = j.at("model").get<std::string>();
        c.text = j.at("text").get<std::string>();
        // Checked first: converting a float token count to an integer would be undefined.
        if (!j.at("prompt_tokens").is_number_integer() || !j.at("completion_tokens").is_number_integer())
            return fail("token counts are not integers");
        c.prompt_tokens = j.at("prompt_tokens").get<std::int64_t>();
        c.completion_tokens = j.at("completion_tokens").get<std::int64_t>();
        c.cost = j.at("cost").get<double>();
        c.estimated = j.contains("estimated") && j["estimated"].is_boolean() && j["estimated"].get<bool>();
        if (c.key.size() != 64) return fail("bad key");
        return c;
    } catch (const std::exception&) {
        return fail("unreadable record body");
    }
}

ResponseCache::ResponseCache(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create cache directory " + dir + ": " + ec.message());
    path_ = (std::filesystem::path(dir) / "calls.log").string();
    // O_NOFOLLOW: a calls.log planted as a symlink must not make us append to (or read) its target.
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0 && errno == ELOOP)
        throw std::runtime_error("cache " + path_ + " is a symbolic link; refusing to follow it (use --cache DIR)");
    if (fd_ < 0) throw io_error("cannot open cache", path_);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("cache " + path_ + " is in use by another run");
    }
    try {
        load();
    } catch (...) {
        ::close(fd_);
        fd_ = -1;
        throw;
    }
}

ResponseCache::~ResponseCache() {
    if (fd_ >= 0) {
        ::fdatasync(fd_);
        ::close(fd_);
    }
}

void ResponseCache::load() {
    std::string data;
    {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) throw io_error("cannot stat cache", path_);
        data.resize(static_cast<std::size_t>(st.st_size));
        std::size_t got = 0;
        while (got < data.size()) {
            const ssize_t n = ::pread(fd_, data.data() + got, data.size() - got, static_cast<off_t>(got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw io_error("cannot read cache", path_);
            got += static_cast<std::size_t>(n);
        }
    }
    static const std::string kHeader = kCacheHeaderPrefix + std::to_string(kCacheFormatVersion);
    if (data.empty()) {
        if (!write_all(fd_, kHeader + "\n")) throw io_error("cannot write cache", path_);
        return;
    }
    std::size_t pos = 0, line_no = 0;
    while (pos < data.size()) {
        ++line_no;
        const std::size_t nl = data.find('\n', pos);
        const bool complete = nl != std::string::npos;
        const std::string line = data.substr(pos, complete ? nl - pos : std::string::npos);
        pos = complete ? nl + 1 : data.size();
        if (line_no == 1 && line.rfind(kCacheHeaderPrefix, 0) == 0) {
            const std::string v = line.substr(kCacheHeaderPrefix.size());
            if (v != std::to_string(kCacheFormatVersion))
                throw std::runtime_error("cache " + path_ + " has format version " + v + "; this automix reads " +
                                         std::to_string(kCacheFormatVersion) +
                                         " and will not write into it (use another --cache DIR)");
            continue;
        }
        std::string why;
        auto rec = complete ? decode(line, &why) : std::nullopt;
        if (!complete) why = "record cut short";
        if (rec) {
            index_[rec->key] = std::move(*rec);
        } else {
            warnings_.push_back(path_ + ":" + std::to_string(line_no) + ": unreadable cache record (" + why +
                                "); skipped and kept in the file");
        }
    }
    // A torn last record stays, but the next record must start on a line of its own.
    if (data.back() != '\n' && !write_all(fd_, "\n")) throw io_error("cannot write cache", path_);
}

std::optional<CachedCall> ResponseCache::find(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

void ResponseCache::put(const CachedCall& call) {
    const std::string line = encode(call) + "\n";
    std::lock_guard lock(mutex_);
    const off_t before = ::lseek(fd_, 0, SEEK_END);
    if (!write_all(fd_, line)) {
        const int err = errno;
        // A short write (disk full, file size limit) leaves a torn record; cut it off so the
        // next record does not get glued to it and lost as well.
        const bool cut = before >= 0 && ::ftruncate(fd_, before) == 0;
        throw std::runtime_error("cannot append to cache " + path_ + ": " + std::strerror(err) +
                                 (cut ? "" : " (the torn record is dropped when the cache is next opened)"));
    }
    index_[call.key] = call;
}

std::size_t ResponseCache::size() const {
    std::lock_guard lock(mutex_);
    return index_.size();
}

}  // namespace automix::live
