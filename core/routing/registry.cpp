// The registry: the methods registered by their own files (registry.hpp), in order.
#include "core/routing/registry.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <utility>

namespace automix::routing {
namespace {

struct Entry {
    int order;
    std::function<MethodPtr()> make;
};
struct Wrapper {
    std::string id;
    int order;
    std::function<MethodPtr(MethodPtr)> wrap;
};

// Filled during static initialisation, before anything asks for a method.
std::vector<Entry>& entries() {
    static std::vector<Entry> all;
    return all;
}
std::vector<Wrapper>& wrappers() {
    static std::vector<Wrapper> all;
    return all;
}

std::vector<MethodPtr> built_in() {
    link_registered_methods();
    struct Placed {
        int order;
        std::size_t base;  // place of the (inner) method among the plain ones
        MethodPtr method;
    };
    std::vector<Entry> plain = entries();
    std::stable_sort(plain.begin(), plain.end(), [](const Entry& a, const Entry& b) { return a.order < b.order; });
    std::vector<Placed> placed;
    for (std::size_t i = 0; i < plain.size(); ++i) placed.push_back({plain[i].order, i, plain[i].make()});
    const std::size_t n_plain = placed.size();
    for (const Wrapper& w : wrappers())
        for (std::size_t i = 0; i < n_plain; ++i) {
            const auto wanted = placed[i].method->capabilities().wrappers;
            if (std::find(wanted.begin(), wanted.end(), w.id) != wanted.end())
                placed.push_back({w.order, i, w.wrap(placed[i].method)});
        }
    std::stable_sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
        return a.order != b.order ? a.order < b.order : a.base < b.base;
    });
    std::vector<MethodPtr> out;
    for (auto& p : placed) out.push_back(std::move(p.method));
    return out;
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

MethodRegistration::MethodRegistration(int order, std::function<MethodPtr()> make) {
    entries().push_back({order, std::move(make)});
}

WrapperRegistration::WrapperRegistration(std::string id, int order, std::function<MethodPtr(MethodPtr)> wrap) {
    wrappers().push_back({std::move(id), order, std::move(wrap)});
}

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

bool is_reference(const std::string& method_name) {
    const MethodPtr m = find_method(method_name);
    return m && is_reference(*m);
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

MethodPtr find_reference(Capabilities::Tone tone) {
    for (const MethodPtr& m : all_methods()) {
        const Capabilities c = m->capabilities();
        if (c.role == Role::Reference && c.tone == tone) return m;
    }
    return nullptr;
}

void register_method(MethodPtr m) {
    std::lock_guard<std::mutex> lock(registry_mutex());
    auto& all = registry();
    all.erase(std::remove_if(all.begin(), all.end(), [&](const MethodPtr& x) { return x->name() == m->name(); }),
              all.end());
    all.push_back(std::move(m));
}

}  // namespace automix::routing
