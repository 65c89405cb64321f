#include "core/data/format.hpp"
#include "core/data/writer.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <streambuf>

#include "core/data/context_store.hpp"
#include "core/data/json_scan.hpp"
#include "core/io/atomic_file.hpp"

namespace automix::data {

namespace {

using json::append_number;
using json::append_quoted;

void append_raw_context(std::string& line, const Dataset& d, RowIndex r) {
    // Copy the still-escaped token when we have it: exact and cheaper than decode + encode.
    if (auto* store = dynamic_cast<const FileContextStore*>(d.contexts.get())) {
        std::string raw = store->raw_token(r);
        if (!raw.empty()) {
            line += raw;
            return;
        }
    }
    append_quoted(line, d.context(r));
}

// Appends the members of a compact JSON object text ("{...}") after existing members.
void append_extra_members(std::string& line, std::string_view extra_object) {
    if (extra_object.size() <= 2) return;
    line += ',';
    line.append(extra_object, 1, extra_object.size() - 2);
}

std::string_view split_text(const Dataset& d, RowIndex r) {
    if (d.split[r] == Split::Other && r < d.split_label.size() && !d.split_label[r].empty()) return d.split_label[r];
    return to_string(d.split[r]);
}

void append_samples(std::string& line, const std::vector<std::string>& samples) {
    line += '[';
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (i) line += ',';
        append_quoted(line, samples[i]);
    }
    line += ']';
}

void key(std::string& line, const char* name) {
    line += ",\"";
    line += name;
    line += "\":";
}

bool has_context(const Dataset& d, RowIndex r) {
    return d.contexts && d.contexts->has_context(r);
}

void check_rows(const Dataset& d, const View& rows) {
    for (RowIndex r : rows)
        if (r >= d.size()) throw WriteError("row index " + std::to_string(r) + " is out of range");
}

}  // namespace

void write_release_jsonl(const Dataset& d, const View& rows, std::ostream& out) {
    if (d.model_count() != 2)
        throw WriteError("the release format holds exactly 2 models; this dataset has " +
                         std::to_string(d.model_count()));
    check_rows(d, rows);
    const ModelColumns& slm = d.models[0];
    const ModelColumns& llm = d.models[1];
    std::string line;
    for (RowIndex r : rows) {
        line.clear();
        line += "{\"id\":";
        append_quoted(line, d.id[r]);
        if (!d.pid[r].empty()) key(line, "pid"), append_quoted(line, d.pid[r]);
        if (has_context(d, r)) key(line, "base_ctx"), append_raw_context(line, d, r);
        if (!d.question[r].empty()) key(line, "question"), append_quoted(line, d.question[r]);
        if (!d.gold[r].empty()) key(line, "output"), append_quoted(line, d.gold[r]);
        key(line, "dataset"), append_quoted(line, d.dataset_name(r));
        key(line, "split"), append_quoted(line, split_text(d, r));
        if (slm.has_answer[r]) key(line, "llama13b_pred_ans"), append_quoted(line, slm.answer[r]);
        if (llm.has_answer[r]) key(line, "llama70b_pred_ans"), append_quoted(line, llm.answer[r]);
        if (slm.verifier_samples.has_samples(r)) key(line, "llama13b_ver"), append_samples(line, slm.verifier_samples[r]);
        if (!std::isnan(slm.verifier_confidence[r]))
            key(line, "p_ver_13b"), append_number(line, slm.verifier_confidence[r]);
        key(line, "llama13b_f1"), append_number(line, slm.score[r]);
        key(line, "llama70b_f1"), append_number(line, llm.score[r]);
        if (r < d.category_from_file.size() && d.category_from_file[r])
            key(line, "category"), append_quoted(line, to_string(d.category[r]));
        if (r < d.extra_json.size()) append_extra_members(line, d.extra_json[r]);
        line += "}\n";
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
}

void write_native_jsonl(const Dataset& d, const View& rows, std::ostream& out) {
    check_rows(d, rows);
    std::string line = "{\"automix_manifest\":{\"format\":\"automix-native-v1\",\"models\":[";
    for (std::size_t m = 0; m < d.models.size(); ++m) {
        if (m) line += ',';
        line += "{\"name\":";
        append_quoted(line, d.models[m].name);
        line += ",\"display_name\":";
        append_quoted(line, d.models[m].display_name.empty() ? d.models[m].name : d.models[m].display_name);
        line += ",\"cost\":";
        append_number(line, d.models[m].call_cost);
        line += '}';
    }
    line += "],\"verifier_cost\":";
    append_number(line, d.verifier_cost);
    append_extra_members(line, d.manifest_extra_json);
    line += "}}\n";
    out.write(line.data(), static_cast<std::streamsize>(line.size()));

    for (RowIndex r : rows) {
        line.clear();
        line += "{\"id\":";
        append_quoted(line, d.id[r]);
        if (!d.pid[r].empty()) key(line, "pid"), append_quoted(line, d.pid[r]);
        key(line, "dataset"), append_quoted(line, d.dataset_name(r));
        key(line, "split"), append_quoted(line, split_text(d, r));
        if (has_context(d, r)) key(line, "context"), append_raw_context(line, d, r);
        if (!d.question[r].empty()) key(line, "question"), append_quoted(line, d.question[r]);
        if (!d.gold[r].empty()) key(line, "gold"), append_quoted(line, d.gold[r]);
        if (r < d.category_from_file.size() && d.category_from_file[r])
            key(line, "category"), append_quoted(line, to_string(d.category[r]));
        key(line, "models");
        line += '[';
        for (std::size_t m = 0; m < d.models.size(); ++m) {
            const ModelColumns& col = d.models[m];
            if (m) line += ',';
            line += "{\"name\":";
            append_quoted(line, col.name);
            if (col.has_answer[r]) key(line, "answer"), append_quoted(line, col.answer[r]);
            key(line, "score"), append_number(line, col.score[r]);
            if (col.verifier_samples.has_samples(r))
                key(line, "verifier_samples"), append_samples(line, col.verifier_samples[r]);
            if (!std::isnan(col.verifier_confidence[r]))
                key(line, "verifier_confidence"), append_number(line, col.verifier_confidence[r]);
            if (r < col.extra_json.size()) append_extra_members(line, col.extra_json[r]);
            line += '}';
        }
        line += ']';
        if (r < d.extra_json.size()) append_extra_members(line, d.extra_json[r]);
        line += "}\n";
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
}

std::vector<std::string> csv_columns(const Dataset& d) {
    std::vector<std::string> cols = {"id",       "pid",  "dataset", "split", "category",
                                     "question", "gold", "context", "line"};
    for (const auto& m : d.models)
        for (const char* suffix : {".answer", ".score", ".verifier_confidence", ".verifier_samples"})
            cols.push_back(m.name + suffix);
    return cols;
}

namespace {

void append_csv_field(std::string& out, std::string_view s) {
    bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos;
    if (!quote) {
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

std::string number_text(double v) {
    std::string s;
    if (!std::isnan(v)) append_number(s, v);
    return s;
}

}  // namespace

void write_csv(const Dataset& d, const View& rows, const std::vector<std::string>& columns, std::ostream& out) {
    check_rows(d, rows);
    const std::vector<std::string> known = csv_columns(d);
    // Resolve names once: (model index or -1, field code).
    struct Col {
        int model;
        int field;
    };
    std::vector<Col> plan;
    for (const auto& name : columns) {
        auto it = std::find(known.begin(), known.end(), name);
        if (it == known.end()) throw WriteError("unknown CSV column `" + name + "`");
        auto index = static_cast<int>(it - known.begin());
        plan.push_back(index < 9 ? Col{-1, index} : Col{(index - 9) / 4, (index - 9) % 4});
    }
    std::string line;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) line += ',';
        append_csv_field(line, columns[i]);
    }
    line += "\r\n";
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    std::string cell;
    for (RowIndex r : rows) {
        line.clear();
        for (std::size_t i = 0; i < plan.size(); ++i) {
            if (i) line += ',';
            const Col& c = plan[i];
            cell.clear();
            if (c.model < 0) {
                switch (c.field) {
                case 0: cell = d.id[r]; break;
                case 1: cell = d.pid[r]; break;
                case 2: cell = d.dataset_name(r); break;
                case 3: cell = split_text(d, r); break;
                case 4: cell = to_string(d.category[r]); break;
                case 5: cell = d.question[r]; break;
                case 6: cell = d.gold[r]; break;
                case 7: cell = d.context(r); break;
                case 8: cell = r < d.source_line.size() ? std::to_string(d.source_line[r]) : ""; break;
                }
            } else {
                const ModelColumns& m = d.models[static_cast<std::size_t>(c.model)];
                switch (c.field) {
                case 0: cell = m.answer[r]; break;
                case 1: cell = number_text(m.score[r]); break;
                case 2: cell = number_text(m.verifier_confidence[r]); break;
                case 3: append_samples(cell, m.verifier_samples[r]); break;
                }
            }
            append_csv_field(line, cell);
        }
        line += "\r\n";
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
}

namespace {

// Streams into a gzip file in 1 MB pieces, so a large export never sits in RAM whole.
// Buffers a stream's bytes and hands them to `sink` (gzwrite, or the atomic file's write).
class SinkStreamBuf : public std::streambuf {
  public:
    explicit SinkStreamBuf(std::function<bool(const char*, std::size_t)> sink)
        : sink_(std::move(sink)), buf_(1u << 20) {
        setp(buf_.data(), buf_.data() + buf_.size());
    }
    bool ok() const { return ok_; }

  protected:
    int_type overflow(int_type ch) override {
        if (!flush_buffer()) return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override { return flush_buffer() ? 0 : -1; }

  private:
    bool flush_buffer() {
        const auto n = static_cast<std::size_t>(pptr() - pbase());
        if (n > 0 && ok_) ok_ = sink_(pbase(), n);
        setp(buf_.data(), buf_.data() + buf_.size());
        return ok_;
    }
    std::function<bool(const char*, std::size_t)> sink_;
    std::vector<char> buf_;
    bool ok_ = true;
};

void write_format(const Dataset& d, const View& rows, FileFormat format, const std::vector<std::string>& columns,
                  std::ostream& out) {
    switch (format) {
    case FileFormat::ReleaseJsonl: write_release_jsonl(d, rows, out); break;
    case FileFormat::NativeJsonl: write_native_jsonl(d, rows, out); break;
    case FileFormat::Csv: write_csv(d, rows, columns.empty() ? csv_columns(d) : columns, out); break;
    }
}

}  // namespace

void save_file(const Dataset& d, const View& rows, const std::string& path, FileFormat format,
               const std::vector<std::string>& columns) {
    save_with(path, [&](std::ostream& out) { write_format(d, rows, format, columns, out); });
}

void save_file(const Dataset& d, const View& rows, const std::string& path, const std::string& format_name) {
    const FormatReader* format = find_format(format_name);
    if (!format) throw WriteError("unknown format `" + format_name + "` (formats: " + format_names() + ")");
    if (!format->write) throw WriteError("the " + format_name + " format can be read but not written");
    save_with(path, [&](std::ostream& out) { format->write(d, rows, out); });
}

void save_with(const std::string& path, const std::function<void(std::ostream&)>& write) {
    const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    try {
        // All or nothing, with the system's reason on failure (io::AtomicFile).
        io::AtomicFile file(path);
        std::string failure;  // the first write error, kept because the stream only says "bad"
        if (gz) {
            const int fd = ::dup(file.fd());
            gzFile g = fd < 0 ? nullptr : gzdopen(fd, "wb6");
            if (!g) {
                if (fd >= 0) ::close(fd);
                throw WriteError("cannot write " + path + ": " + std::strerror(errno));
            }
            SinkStreamBuf buf([&](const char* p, std::size_t n) {
                if (gzwrite(g, p, static_cast<unsigned>(n)) == static_cast<int>(n)) return true;
                failure = std::strerror(errno);
                return false;
            });
            std::ostream out(&buf);
            try {
                write(out);
            } catch (...) {
                gzclose(g);
                throw;
            }
            out.flush();
            errno = 0;
            const bool closed = gzclose(g) == Z_OK;
            if (!buf.ok() || !closed)
                throw WriteError("cannot write " + path + ": " +
                                 (!failure.empty() ? failure : std::string(std::strerror(errno ? errno : EIO))));
        } else {
            SinkStreamBuf buf([&](const char* p, std::size_t n) {
                try {
                    file.write(std::string_view(p, n));
                    return true;
                } catch (const io::AtomicFileError& e) {
                    failure = e.what();
                    return false;
                }
            });
            std::ostream out(&buf);
            write(out);
            out.flush();
            if (!buf.ok()) throw WriteError(failure);
        }
        file.commit();
    } catch (const io::AtomicFileError& e) {
        throw WriteError(e.what());
    }
}

}  // namespace automix::data
