#pragma once
// Factories of the built-in methods, one per file in core/routing/, listed in
// registry.cpp in report order.
#include "core/routing/method.hpp"

namespace automix::routing {

MethodPtr make_threshold();         // threshold.cpp
MethodPtr make_double_threshold();  // double_threshold.cpp
MethodPtr make_triple_threshold();  // triple_threshold.cpp
MethodPtr make_self_consistency();  // self_consistency.cpp
MethodPtr make_pomdp_simple();      // pomdp_simple.cpp
MethodPtr make_greedy_pomdp();      // greedy_pomdp.cpp
MethodPtr make_automix_union();     // automix_union.cpp ("POMDP" in the paper)
// Wraps `inner`: escalate also when the SLM answer is a substring of "unanswerable'.".
MethodPtr make_fixed_answer(MethodPtr inner);  // fixed_answer.cpp
MethodPtr make_always_small();                 // baselines.cpp
MethodPtr make_always_large();                 // baselines.cpp
MethodPtr make_oracle();                       // baselines.cpp
MethodPtr make_random_mix();                   // baselines.cpp

}  // namespace automix::routing
