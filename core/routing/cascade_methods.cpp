// The cascade methods in report order (registered by one line in registry.cpp).
#include "core/routing/cascade_methods.hpp"

namespace automix::routing {

std::vector<MethodPtr> make_cascade_methods() {
    return {make_cascade(), make_cascade_always(), make_cascade_thresholds(), make_cascade_oracle()};
}

}  // namespace automix::routing
