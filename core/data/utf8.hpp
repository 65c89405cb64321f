#pragma once
// The readers' names for scoring's UTF-8 encoder and JSON escape test (data depends on scoring,
// never the reverse).
#include "core/scoring/utf8.hpp"

namespace automix::data {
using scoring::append_utf8;
using scoring::is_short_json_escape;
}  // namespace automix::data
