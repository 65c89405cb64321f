// The list of methods, in report order. One line per method.
#include <algorithm>
#include <cctype>
#include <mutex>

#include "core/routing/cascade_methods.hpp"
#include "core/routing/methods.hpp"

namespace automix::routing {
namespace {

std::vector<MethodPtr> built_in() {
    std::vector<MethodPtr> all;
    all.push_back(make_threshold());
    all.push_back(make_double_threshold());
    all.push_back(make_triple_threshold());
    all.push_back(make_self_consistency());
    all.push_back(make_pomdp_simple());
    all.push_back(make_greedy_pomdp());
    all.push_back(make_automix_union());
    all.push_back(make_fixed_answer(make_threshold()));
    all.push_back(make_fixed_answer(make_double_threshold()));
    all.push_back(make_fixed_answer(make_triple_threshold()));
    all.push_back(make_fixed_answer(make_pomdp_simple()));
    all.push_back(make_fixed_answer(make_greedy_pomdp()));
    all.push_back(make_fixed_answer(make_automix_union()));
    all.push_back(make_always_small());
    all.push_back(make_always_large());
    all.push_back(make_oracle());
    all.push_back(make_random_mix());
    for (auto& m : make_cascade_methods()) all.push_back(m);  // N-model cascade (method §7)
    return all;
}

std::mutex& registry_mutex() {
    static std::mutex m;
    return m;
}

std::vector<MethodPtr>& registry() {
    static std::vector<MethodPtr> all = built_in();
    return all;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

MethodPtr find_method(const std::string& name) {
    std::lock_guard<std::mutex> lock(registry_mutex());
    const std::string want = lower(name);
    for (const auto& m : registry()) {
        if (lower(m->name()) == want) return m;
        for (const auto& a : m->aliases())
            if (lower(a) == want) return m;
    }
    return nullptr;
}

std::vector<std::string> method_names() {
    std::lock_guard<std::mutex> lock(registry_mutex());
    std::vector<std::string> out;
    for (const auto& m : registry()) out.push_back(m->name());
    return out;
}

std::vector<MethodPtr> all_methods() {
    std::lock_guard<std::mutex> lock(registry_mutex());
    return registry();
}

void register_method(MethodPtr m) {
    std::lock_guard<std::mutex> lock(registry_mutex());
    auto& all = registry();
    all.erase(std::remove_if(all.begin(), all.end(), [&](const MethodPtr& x) { return x->name() == m->name(); }),
              all.end());
    all.push_back(std::move(m));
}

}  // namespace automix::routing
