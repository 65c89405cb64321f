#include "core/data/format.hpp"

#include <algorithm>

namespace automix::data {

namespace {
std::vector<FormatReader>& registry() {
    static std::vector<FormatReader> formats;  // function-local: filled from other files' static initialisers
    return formats;
}
}  // namespace

bool register_format(FormatReader format) {
    auto& all = registry();
    all.push_back(std::move(format));
    // Static initialisers run in an unspecified order: keep the list in a stable one.
    std::stable_sort(all.begin(), all.end(), [](const FormatReader& a, const FormatReader& b) {
        return a.order != b.order ? a.order < b.order : a.name < b.name;
    });
    return true;
}

const std::vector<FormatReader>& formats() {
    link_registered_formats();
    return registry();
}

const FormatReader* find_format(std::string_view name) {
    for (const FormatReader& f : registry())
        if (f.name == name) return &f;
    return nullptr;
}

std::string format_names() {
    std::string out;
    for (const FormatReader& f : registry()) out += (out.empty() ? "" : ", ") + f.name;
    return out;
}

std::vector<std::string> format_patterns() {
    std::vector<std::string> out;
    auto add = [&](const std::string& p) {
        if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    };
    for (const FormatReader& f : registry())
        for (const std::string& ext : f.extensions) {
            add("*" + ext);
            add("*" + ext + ".gz");
        }
    return out;
}

}  // namespace automix::data
