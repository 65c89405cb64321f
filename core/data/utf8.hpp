#pragma once
// The readers' name for scoring's UTF-8 encoder (data depends on scoring, never the reverse).
#include "core/scoring/utf8.hpp"

namespace automix::data {
using scoring::append_utf8;
}  // namespace automix::data
