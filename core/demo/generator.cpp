#include "core/demo/generator.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <zlib.h>

#include "core/demo/json_text.hpp"
#include "core/demo/rng.hpp"
#include "core/demo/text.hpp"
#include "core/io/atomic_file.hpp"
#include "core/scoring/f1.hpp"
#include "core/scoring/verifier.hpp"

namespace automix::demo {

namespace {

// How models and the verifier behave on one dataset. Skills are indexed small,
// medium, large; the 2-model variant uses small and large.
struct DatasetProfile {
    DemoDataset dataset;
    std::size_t release_train, release_val;  // method §2 sizes, for proportions
    double skill[3];
    double partial_band;         // width of the "partly right" zone above a skill
    double answer_noise;         // half-width of the per-model jitter on the difficulty
    double verifier_bias;        // P(sample says correct) at score ½
    double verifier_separation;  // how much that moves with the score
    double verifier_noise;       // per-row spread (sd) of that probability
};

// Tuned so that the large model is 10–20 points better, and so that the verifier is
// sharp on cnli, useless on quality and in between elsewhere (as in the paper).
const DatasetProfile kProfiles[kDemoDatasetCount] = {
    {DemoDataset::Cnli, 7191, 1037, {0.45, 0.53, 0.61}, 0.00, 0.10, 0.55, 0.70, 0.15},
    {DemoDataset::Coqa, 3941, 3908, {0.42, 0.49, 0.55}, 0.16, 0.12, 0.62, 0.36, 0.20},
    {DemoDataset::NarrativeQa, 9946, 5826, {0.26, 0.33, 0.40}, 0.26, 0.12, 0.60, 0.30, 0.20},
    {DemoDataset::Qasper, 2556, 1715, {0.24, 0.33, 0.42}, 0.14, 0.12, 0.55, 0.42, 0.18},
    {DemoDataset::Quality, 2515, 2085, {0.36, 0.45, 0.54}, 0.00, 0.14, 0.66, 0.06, 0.20},
};

struct ModelSpec {
    std::string name;
    std::string display_name;
    double cost;
    double skill_position;  // 0 = the small model's skill, 0.5 the medium's, 1 the large's
};

// Two and three models are the shipped demos (their bytes must not change); more models sit
// between small and large, skills interpolated through the profile's three, costs ×5 apart
// after the first two steps (1, 10, 50, 250, ...; the reader's defaults).
std::vector<ModelSpec> model_specs(int count) {
    if (count == 2) return {{"small", "Small (13B)", 1, 0.0}, {"large", "Large (70B)", 50, 1.0}};
    if (count == 3)
        return {
            {"small", "Small (13B)", 1, 0.0}, {"medium", "Medium (34B)", 10, 0.5}, {"large", "Large (70B)", 50, 1.0}};
    std::vector<ModelSpec> out;
    double cost = 1;
    for (int j = 0; j < count; ++j) {
        const bool first = j == 0, last = j + 1 == count;
        const std::string n = std::to_string(j + 1);
        out.push_back({first  ? "small"
                       : last ? "large"
                              : "m" + n,
                       first  ? "Small"
                       : last ? "Large"
                              : "Model " + n,
                       cost, static_cast<double>(j) / (count - 1)});
        cost = j == 0 ? 10 : j == 1 ? 50 : cost * 5;
    }
    return out;
}

double skill_at(const DatasetProfile& p, double position) {
    if (position == 0.0) return p.skill[0];
    if (position == 0.5) return p.skill[1];
    if (position == 1.0) return p.skill[2];
    return position < 0.5 ? p.skill[0] + (p.skill[1] - p.skill[0]) * position * 2
                          : p.skill[1] + (p.skill[2] - p.skill[1]) * (position - 0.5) * 2;
}

struct ModelAnswer {
    std::string answer;
    double score = 0;
    std::vector<std::string> verifier_samples;  // empty for the last model
    double verifier_confidence = 0;
};

struct DemoRow {
    std::string id, pid, dataset, split;
    QuestionItem item;
    std::vector<ModelAnswer> models;
};

double clamp(double v, double lo, double hi) {
    return std::min(hi, std::max(lo, v));
}

// Shortens a context to at most `max_chars` characters (UTF-8 code points), ending at a space
// when there is one, without a trailing space.
void cut_context(std::string& context, std::size_t max_chars) {
    std::size_t chars = 0, end = 0;
    while (end < context.size() && chars < max_chars) {
        ++end;
        while (end < context.size() && (static_cast<unsigned char>(context[end]) & 0xC0) == 0x80) ++end;
        ++chars;
    }
    if (end == context.size()) return;
    const std::size_t space = context.rfind(' ', end);
    if (space != std::string::npos && space > 0) end = space;
    context.resize(end);
}

DemoRow make_row(const GeneratorOptions& options, const DatasetProfile& profile, std::size_t index_in_dataset,
                 bool train) {
    const auto dataset_number = static_cast<std::uint64_t>(profile.dataset);
    Rng rng = Rng::stream(options.seed, dataset_number, index_in_dataset);
    DemoRow row;
    row.dataset = dataset_name(profile.dataset);
    char number[16];
    std::snprintf(number, sizeof number, "%06zu", index_in_dataset);
    row.id = "demo-" + row.dataset + "-" + number;
    row.pid = "demo-" + row.dataset + "-p" + number;
    row.split = train ? "train" : "val";
    row.item = make_question(profile.dataset, rng, options.min_context_bytes);
    if (options.max_context_chars > 0) cut_context(row.item.context, options.max_context_chars);

    const auto specs = model_specs(options.models);
    const double difficulty = rng.uniform();
    // A few rows have verifier completions without any verdict (confidence 0 by §3).
    const double no_verdict_rate = rng.chance(0.01) ? 1.0 : 0.03;
    for (std::size_t m = 0; m < specs.size(); ++m) {
        const double skill = skill_at(profile, specs[m].skill_position);
        const double seen = difficulty + rng.uniform(-profile.answer_noise, profile.answer_noise);
        const Outcome outcome = seen < skill                          ? Outcome::Exact
                                : seen < skill + profile.partial_band ? Outcome::Partial
                                                                      : Outcome::Wrong;
        ModelAnswer answer;
        answer.answer = make_answer(row.item, profile.dataset, outcome, rng);
        answer.score = scoring::answer_score(row.dataset, answer.answer, row.item.gold);
        if (m + 1 < specs.size()) {
            const double p_correct = clamp(profile.verifier_bias + profile.verifier_separation * (answer.score - 0.5) +
                                               profile.verifier_noise * rng.normal(),
                                           0.02, 0.98);
            answer.verifier_samples = make_verifier_samples(rng, p_correct, no_verdict_rate, options.verifier_samples);
            answer.verifier_confidence = scoring::verifier_confidence(answer.verifier_samples);
        }
        row.models.push_back(std::move(answer));
    }
    return row;
}

std::string release_line(const DemoRow& row) {
    const ModelAnswer& small = row.models.front();
    const ModelAnswer& large = row.models.back();
    JsonObject o;
    o.string("id", row.id)
        .string("pid", row.pid)
        .string("base_ctx", row.item.context)
        .string("question", row.item.question)
        .string("output", row.item.gold)
        .string("dataset", row.dataset)
        .string("split", row.split)
        .string("llama13b_pred_ans", small.answer)
        .string("llama70b_pred_ans", large.answer)
        .strings("llama13b_ver", small.verifier_samples)
        .number("p_ver_13b", small.verifier_confidence)
        .number("llama13b_f1", small.score)
        .number("llama70b_f1", large.score);
    return o.finish() + "\n";
}

std::string native_manifest(int model_count) {
    std::string models = "[";
    const auto specs = model_specs(model_count);
    for (std::size_t i = 0; i < specs.size(); ++i) {
        if (i) models += ", ";
        JsonObject m;
        m.string("name", specs[i].name).string("display_name", specs[i].display_name);
        // Integers as long as they are exact (the 2- and 3-model demos write "cost": 50).
        if (specs[i].cost < 9e15)
            m.integer("cost", static_cast<long long>(specs[i].cost));
        else
            m.number("cost", specs[i].cost);
        models += m.finish();
    }
    models += "]";
    const std::string manifest =
        JsonObject().string("format", "automix-native-v1").raw("models", models).integer("verifier_cost", 1).finish();
    return JsonObject().raw("automix_manifest", manifest).finish() + "\n";
}

std::string native_line(const DemoRow& row, int model_count) {
    const auto specs = model_specs(model_count);
    std::string models = "[";
    for (std::size_t m = 0; m < row.models.size(); ++m) {
        const ModelAnswer& a = row.models[m];
        JsonObject o;
        o.string("name", specs[m].name).string("answer", a.answer).number("score", a.score);
        if (m + 1 < row.models.size())
            o.strings("verifier_samples", a.verifier_samples).number("verifier_confidence", a.verifier_confidence);
        if (m) models += ", ";
        models += o.finish();
    }
    models += "]";
    return JsonObject()
               .string("id", row.id)
               .string("dataset", row.dataset)
               .string("split", row.split)
               .string("context", row.item.context)
               .string("question", row.item.question)
               .string("gold", row.item.gold)
               .raw("models", models)
               .finish() +
           "\n";
}

// Deterministic train/val order within a dataset: a shuffled list of split labels.
std::vector<bool> split_order(std::uint64_t seed, std::size_t dataset, const SplitCounts& counts) {
    std::vector<bool> is_train(counts.train + counts.val, false);
    std::fill(is_train.begin(), is_train.begin() + static_cast<long>(counts.train), true);
    Rng rng = Rng::stream(seed, 1000 + dataset, 0);
    for (std::size_t i = is_train.size(); i > 1; --i) {
        const std::size_t j = rng.below(i);
        const bool tmp = is_train[i - 1];
        is_train[i - 1] = is_train[j];
        is_train[j] = tmp;
    }
    return is_train;
}

}  // namespace

std::string check_options(const GeneratorOptions& options) {
    if (options.rows == 0) return "--rows must be at least 1";
    if (options.models < 2 || options.models > kMaxDemoModels)
        return "--models must be between 2 and " + std::to_string(kMaxDemoModels);
    if (options.models > 2 && options.format != OutputFormat::Native)
        return "--models " + std::to_string(options.models) +
               " needs --format native (the release format has two models)";
    if (options.verifier_samples < 1) return "the number of verifier samples must be at least 1";
    return {};
}

std::vector<SplitCounts> allocate_rows(std::size_t total) {
    // Largest-remainder apportionment over the ten (dataset, split) cells.
    std::size_t release_total = 0;
    for (const auto& p : kProfiles) release_total += p.release_train + p.release_val;
    struct Cell {
        std::size_t count, remainder_key, order;
    };
    std::vector<Cell> cells;
    std::size_t assigned = 0;
    for (std::size_t i = 0; i < kDemoDatasetCount; ++i) {
        for (const std::size_t size : {kProfiles[i].release_train, kProfiles[i].release_val}) {
            const unsigned long long scaled = static_cast<unsigned long long>(size) * total;
            cells.push_back({static_cast<std::size_t>(scaled / release_total),
                             static_cast<std::size_t>(scaled % release_total), cells.size()});
            assigned += cells.back().count;
        }
    }
    std::vector<std::size_t> by_remainder(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) by_remainder[i] = i;
    std::stable_sort(by_remainder.begin(), by_remainder.end(),
                     [&](std::size_t a, std::size_t b) { return cells[a].remainder_key > cells[b].remainder_key; });
    for (std::size_t k = 0; assigned < total; ++k, ++assigned) ++cells[by_remainder[k]].count;

    std::vector<SplitCounts> out;
    for (std::size_t i = 0; i < kDemoDatasetCount; ++i)
        out.push_back({dataset_name(kProfiles[i].dataset), cells[2 * i].count, cells[2 * i + 1].count});
    return out;
}

void generate(const GeneratorOptions& options, const std::function<void(std::string_view)>& sink) {
    if (const std::string problem = check_options(options); !problem.empty()) throw std::invalid_argument(problem);
    if (options.format == OutputFormat::Native) sink(native_manifest(options.models));
    const auto counts = allocate_rows(options.rows);
    for (std::size_t d = 0; d < kDemoDatasetCount; ++d) {
        const auto is_train = split_order(options.seed, d, counts[d]);
        for (std::size_t i = 0; i < is_train.size(); ++i) {
            const DemoRow row = make_row(options, kProfiles[d], i, is_train[i]);
            sink(options.format == OutputFormat::Release ? release_line(row) : native_line(row, options.models));
        }
    }
}

void generate_file(const GeneratorOptions& options, const std::string& path) {
    if (const std::string problem = check_options(options); !problem.empty()) throw std::invalid_argument(problem);
    const bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    std::string buffer;
    constexpr std::size_t kFlushBytes = 1 << 20;
    // All or nothing: a full disk leaves no partial file (io::AtomicFile).
    io::AtomicFile file(path);

    if (gzip) {
        // zlib's gz* writer puts no name and a zero time stamp in the header, so the
        // compressed bytes depend only on the content (and the zlib version). It writes
        // through a duplicate of the temporary file's descriptor, closed by gzclose.
        const int fd = ::dup(file.fd());
        gzFile out = fd < 0 ? nullptr : gzdopen(fd, "wb9");
        if (!out) {
            if (fd >= 0) ::close(fd);
            throw std::runtime_error(path + ": cannot open for writing: " + std::strerror(errno));
        }
        auto flush = [&] {
            if (!buffer.empty() &&
                gzwrite(out, buffer.data(), static_cast<unsigned>(buffer.size())) != static_cast<int>(buffer.size())) {
                int err = 0;
                const std::string reason = gzerror(out, &err);
                gzclose(out);
                throw std::runtime_error("cannot write " + path + ": " +
                                         (err == Z_ERRNO ? std::string(std::strerror(errno)) : reason));
            }
            buffer.clear();
        };
        generate(options, [&](std::string_view line) {
            buffer += line;
            if (buffer.size() >= kFlushBytes) flush();
        });
        flush();
        errno = 0;
        if (gzclose(out) != Z_OK)
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno ? errno : EIO));
        file.commit();
        return;
    }

    generate(options, [&](std::string_view line) {
        buffer += line;
        if (buffer.size() >= kFlushBytes) {
            file.write(buffer);
            buffer.clear();
        }
    });
    file.write(buffer);
    file.commit();
}

}  // namespace automix::demo
