#pragma once
// `automix eval --session FILE`: the routing a saved explorer session shows, headless.
#include <string>
#include <vector>

namespace automix::cli {

bool wants_session_eval(const std::vector<std::string>& argv);
int run_session_eval(const std::vector<std::string>& argv);

}  // namespace automix::cli
