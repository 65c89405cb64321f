#pragma once
// One way to write an output file: all of it or nothing. The bytes go to a temporary file next
// to the target (same directory, so the rename is atomic), are fsync'ed, and the temporary is
// renamed over the target, so a full disk or a crash leaves the previous file intact and never
// a truncated one. "-" is standard output. A target that exists and is not a regular file
// (/dev/null, /dev/full, a FIFO) is written in place: renaming over it would replace it.
// Every failure is an AtomicFileError naming the path and the system's reason (strerror).
#include <stdexcept>
#include <string>
#include <string_view>

namespace automix::io {

struct AtomicFileError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class AtomicFile {
  public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();  // discards the temporary unless commit() succeeded
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::string_view bytes);
    // For writers that need a descriptor of their own (zlib's gzdopen takes a dup of it).
    int fd() const { return fd_; }
    // Flushes to stable storage and puts the file in place. Call once, after the last write.
    void commit();

  private:
    [[noreturn]] void fail(const std::string& what, int err);
    std::string path_, temp_;  // temp_ empty: writing in place (stdout, a device, a FIFO)
    int fd_ = -1;
    bool committed_ = false;
};

// The whole text to `path` ("-" = standard output) through an AtomicFile.
void write_file(const std::string& path, std::string_view text);

}  // namespace automix::io
