#include "core/live/request_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "core/data/json_parse.hpp"

namespace automix::live {

using nlohmann::json;

json request_log_manifest(const ModelsConfig& cfg) {
    json models = json::array();
    for (const auto& m : cfg.models)
        models.push_back({{"name", m.name},
                          {"display_name", m.display_name.empty() ? m.name : m.display_name},
                          {"cost", m.call_cost}});
    return json{{"automix_manifest",
                 {{"format", "automix-native-v1"}, {"models", models}, {"verifier_cost", cfg.verifier_cost}}}};
}

namespace {

// The model names of an existing log's manifest line; throws when the line is not one.
std::vector<std::string> manifest_models(const std::string& path, const std::string& first_line) {
    const json j = data::json::parse_limited_or_discarded(first_line);
    if (!j.is_object() || !j.contains("automix_manifest") || !j["automix_manifest"].is_object() ||
        !j["automix_manifest"].contains("models") || !j["automix_manifest"]["models"].is_array())
        throw std::runtime_error(path + ":1: not a request log (the first line is no native-format manifest); "
                                        "choose a new file for --request-log");
    std::vector<std::string> names;
    for (const auto& m : j["automix_manifest"]["models"])
        names.push_back(m.is_object() && m.contains("name") && m["name"].is_string() ? m["name"].get<std::string>()
                                                                                     : std::string("?"));
    return names;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

void write_all(int fd, const std::string& text, const std::string& path) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("cannot append to " + path + ": " + std::strerror(errno));
        }
        done += static_cast<std::size_t>(w);
    }
}

}  // namespace

RequestLog::RequestLog(const std::string& path, const ModelsConfig& cfg) : path_(path) {
    std::string first_line;
    {
        std::ifstream in(path, std::ios::binary);
        if (in) std::getline(in, first_line);
    }
    if (!first_line.empty()) {
        std::vector<std::string> want;
        for (const auto& m : cfg.models) want.push_back(m.name);
        const auto have = manifest_models(path, first_line);
        if (have != want)
            throw std::runtime_error(path + ": this request log holds rows of the models " + joined(have) +
                                     ", the config serves " + joined(want) + "; choose another --request-log");
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot open request log " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && st.st_size == 0) {
        try {
            write_all(fd_, request_log_manifest(cfg).dump() + "\n", path_);
        } catch (...) {
            ::close(fd_);
            throw;
        }
    }
}

RequestLog::~RequestLog() {
    if (fd_ >= 0) ::close(fd_);
}

void RequestLog::append(const json& record) {
    const std::string line = record.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    std::lock_guard lock(mutex_);
    write_all(fd_, line, path_);
}

}  // namespace automix::live
