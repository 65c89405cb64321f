#pragma once
// Core text (UTF-8 bytes, often a view into a dataset's column) as a QString.
#include <QString>
#include <string_view>

namespace automix::ui {

inline QString toQString(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

}  // namespace automix::ui
