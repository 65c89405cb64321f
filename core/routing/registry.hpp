#pragma once
// Self-registration of routing methods: a method's file ends with
//
//   AUTOMIX_REGISTER_METHOD(best_of_k, 1700, [] { return std::make_shared<BestOfKMethod>(); })
//
// (inside namespace automix::routing). The number orders the registry, and so every report,
// chart legend and menu; the built-in methods use 100, 200, ... in the paper's order, so a new
// one can go anywhere without renumbering. A wrapper registers once and is applied to every
// method that lists its id in Capabilities::wrappers, in their order, at the wrapper's place:
//
//   AUTOMIX_REGISTER_WRAPPER(fixed_answer, 800, [](MethodPtr inner) { return wrap(inner); })
//
// Nothing names a method's object file, so a static library would leave it out of a program:
// the build scans core/routing/ for these macros and generates a function that touches
// one anchor per file (core/CMakeLists.txt, automix_registrants), which the registry calls.
#include <functional>
#include <string>

#include "core/routing/method.hpp"

namespace automix::routing {

struct MethodRegistration {
    MethodRegistration(int order, std::function<MethodPtr()> make);
};
struct WrapperRegistration {
    WrapperRegistration(std::string id, int order, std::function<MethodPtr(MethodPtr inner)> wrap);
};

// Generated (core/CMakeLists.txt): calls every method file's anchor.
void link_registered_methods();

}  // namespace automix::routing

#define AUTOMIX_REGISTER_METHOD(anchor, order, ...)                                                                    \
    void method_anchor_##anchor() {}                                                                                   \
    namespace {                                                                                                        \
    const ::automix::routing::MethodRegistration method_registration_##anchor(order, __VA_ARGS__);                     \
    }

#define AUTOMIX_REGISTER_WRAPPER(anchor, order, ...)                                                                   \
    void method_anchor_##anchor() {}                                                                                   \
    namespace {                                                                                                        \
    const ::automix::routing::WrapperRegistration method_registration_##anchor(#anchor, order, __VA_ARGS__);           \
    }
