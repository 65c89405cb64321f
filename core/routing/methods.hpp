#pragma once
// Factories of the built-in methods that other methods are built from (POMDP's members,
// SelfConsistency's threshold). Every method registers itself in its own file
// (registry.hpp); this list is not the registry.
#include "core/routing/method.hpp"

namespace automix::routing {

MethodPtr make_threshold();         // threshold.cpp
MethodPtr make_double_threshold();  // double_threshold.cpp
MethodPtr make_pomdp_simple();      // pomdp_simple.cpp
MethodPtr make_greedy_pomdp();      // greedy_pomdp.cpp

}  // namespace automix::routing
