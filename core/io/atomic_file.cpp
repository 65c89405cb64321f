#include "core/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace automix::io {

namespace {
std::string directory_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}
}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    if (path_ == "-") {
        fd_ = STDOUT_FILENO;
        // Anything printed before goes first (and a failure there is this output's failure too).
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) fail("cannot write", errno ? errno : EIO);
        return;
    }
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) fail("cannot write", EISDIR);
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC);
        if (fd_ < 0) fail("cannot open for writing", errno);
        return;
    }
    // Unique per process and call; O_EXCL refuses to follow anything already there.
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; fd_ < 0; ++attempt) {
        temp_ = path_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ < 0 && (errno != EEXIST || attempt > 100)) {
            const int err = errno;
            temp_.clear();
            fail("cannot create a temporary file in " + directory_of(path_) + " for", err);
        }
    }
}

AtomicFile::~AtomicFile() {
    if (committed_) return;
    if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::fail(const std::string& what, int err) {
    throw AtomicFileError(what + " " + (path_ == "-" ? std::string("standard output") : path_) + ": " +
                          std::strerror(err));
}

void AtomicFile::write(std::string_view bytes) {
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write", errno);
        if (n == 0) fail("cannot write", EIO);
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void AtomicFile::commit() {
    if (committed_) return;
    if (temp_.empty()) {
        // In place: fsync is meaningless (and refused) for pipes and terminals; the writes
        // themselves already reported their errors.
        if (fd_ != STDOUT_FILENO && ::close(fd_) != 0) fail("cannot write", errno);
        fd_ = -1;
        committed_ = true;
        return;
    }
    if (::fsync(fd_) != 0) fail("cannot write", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write", errno);
    if (::rename(temp_.c_str(), path_.c_str()) != 0) fail("cannot replace", errno);
    temp_.clear();
    committed_ = true;
    // The rename itself is durable once the directory is synced (best effort: some file
    // systems refuse fsync on a directory).
    const int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        (void)::fsync(dir);
        ::close(dir);
    }
}

void write_file(const std::string& path, std::string_view text) {
    AtomicFile f(path);
    f.write(text);
    f.commit();
}

}  // namespace automix::io
