#pragma once
// Helpers shared by the data-layer tests (header only: tests/core/support_*.cpp would
// be linked into every core test).
#include <zlib.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

// Lets QCOMPARE print std::string values when they differ.
namespace QTest {
template <>
inline char* toString<std::string>(const std::string& s) {
    return qstrdup(s.c_str());
}
}  // namespace QTest

namespace test_data {

inline std::string data_path(const std::string& name) {
    // Appended step by step: GCC 12 at -O2 reports a false -Warray-bounds on `string + "/" + name`.
    std::string path = AUTOMIX_TEST_DATA;
    path += '/';
    path += name;
    return path;
}

inline nlohmann::ordered_json release_row(const std::string& id, double slm = 0.5, double llm = 1.0) {
    nlohmann::ordered_json j;
    j["id"] = id;
    j["pid"] = "p-" + id;
    j["base_ctx"] = "Context of " + id + ".";
    j["question"] = "Question " + id + "?";
    j["output"] = "gold " + id;
    j["dataset"] = "coqa";
    j["split"] = "train";
    j["llama13b_pred_ans"] = "small " + id;
    j["llama70b_pred_ans"] = "large " + id;
    j["llama13b_ver"] = {"The AI generated answer is correct.", "The AI generated answer is incorrect."};
    j["p_ver_13b"] = 0.5;
    j["llama13b_f1"] = slm;
    j["llama70b_f1"] = llm;
    return j;
}

inline std::string write_text(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
    std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream f(path, std::ios::binary);
    f << text;
    return path;
}

inline std::string write_gz(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
    std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    gzFile g = gzopen(path.c_str(), "wb");
    gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
    gzclose(g);
    return path;
}

inline std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// N good release rows, one per line.
inline std::string release_lines(int n, int first = 0) {
    std::string s;
    for (int i = first; i < first + n; ++i) s += release_row("r" + std::to_string(i)).dump() + "\n";
    return s;
}

}  // namespace test_data
