#include "core/routing/method.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/routing/common.hpp"

namespace automix::routing {

Config Config::for_dataset(const data::Dataset& ds) {
    Config cfg;
    cfg.call_costs.clear();
    for (const auto& m : ds.models) cfg.call_costs.push_back(m.call_cost);
    cfg.verifier_cost = ds.verifier_cost;
    return cfg;
}

double ParamControl::value_at(int position) const {
    const double f = std::clamp(static_cast<double>(position) / std::max(1, positions), 0.0, 1.0);
    return log_scale ? min * std::pow(max / min, f) : min + f * (max - min);
}

int ParamControl::position_of(double value) const {
    double f = 0;
    if (log_scale)
        f = value > min ? std::log(value / min) / std::log(max / min) : 0.0;
    else if (max > min)
        f = (value - min) / (max - min);
    if (!(f >= 0)) f = 0;  // NaN included
    return std::clamp(static_cast<int>(std::lround(f * positions)), 0, positions);
}

std::string ParamControl::display(double value) const {
    char buf[64];
    std::snprintf(buf, sizeof buf, format.c_str(), value);
    return label + " = " + buf;
}

std::optional<Params> Method::params_from_controls(const std::vector<double>& values,
                                                   const std::vector<Params>&) const {
    if (values.empty() || values.size() != capabilities().controls.size()) return std::nullopt;
    if (values.size() == 1) return Params(values[0]);
    Params p = Params::array();
    for (const double v : values) p.push_back(v);
    return p;
}

std::optional<std::vector<double>> Method::controls_of(const Params& p) const {
    const std::size_t n = capabilities().controls.size();
    if (n == 1 && p.is_number()) return std::vector<double>{p.get<double>()};
    if (n < 2 || !p.is_array() || p.size() != n) return std::nullopt;
    std::vector<double> out;
    for (const auto& v : p) {
        if (!v.is_number()) return std::nullopt;
        out.push_back(v.get<double>());
    }
    return out;
}

std::string Method::describe(const Params& p, const Config&) const {
    return p.dump();
}

void Method::route_each(const data::Dataset& ds, const data::View& rows, const std::vector<Params>& params,
                        const Config& cfg, const std::function<void(std::size_t, const Decisions&)>& sink) const {
    for (std::size_t i = 0; i < params.size(); ++i) sink(i, route(ds, rows, params[i], cfg));
}

std::string Method::explain(const data::Dataset& ds, const data::View&, data::RowIndex row, const Params& p,
                            const Config& cfg) const {
    const Decisions d = route(ds, data::View{row}, p, cfg);
    return name() + "(" + describe(p, cfg) + ") -> " + detail::decision_word(d.at(0) != 0);
}

namespace detail {

std::vector<double> confidences(const data::Dataset& ds, const data::View& rows) {
    const auto& col = ds.models.front().verifier_confidence;
    const double* c = col.data();
    const std::size_t n = col.size();
    std::vector<double> out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const data::RowIndex r = rows[i];
        const double p = r < n ? c[r] : std::nan("");
        if (std::isnan(p)) confidence(ds, r);  // throws with the row's id
        out[i] = p;
    }
    return out;
}

std::string format_number(double x) {
    char buf[32];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, x);
        if (std::strtod(buf, nullptr) == x) break;
    }
    return buf;
}

namespace {
std::string with_precision(double x, int significant) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", significant, x);
    return buf;
}
}  // namespace

std::string display_number(double x) {
    return with_precision(x, 3);
}

std::pair<std::string, std::string> display_compared(double a, double b) {
    for (int significant = 3; significant < 17; ++significant) {
        std::pair<std::string, std::string> out{with_precision(a, significant), with_precision(b, significant)};
        if (a == b || out.first != out.second) return out;
    }
    return {format_number(a), format_number(b)};
}

double number_param(const Params& p, const char* what) {
    if (!p.is_number()) throw RoutingError(std::string(what) + ": expected a number, got " + p.dump());
    return p.get<double>();
}

std::vector<double> numbers_param(const Params& p, std::size_t count, const char* what) {
    if (!p.is_array() || p.size() != count)
        throw RoutingError(std::string(what) + ": expected " + std::to_string(count) + " numbers, got " + p.dump());
    std::vector<double> out;
    for (const auto& v : p) out.push_back(number_param(v, what));
    return out;
}

std::vector<int> flags_param(const Params& p, std::size_t count, const char* what) {
    if (!p.is_array() || p.size() != count)
        throw RoutingError(std::string(what) + ": expected a 0/1 list of length " + std::to_string(count) + ", got " +
                           p.dump());
    std::vector<int> out;
    for (const auto& v : p) {
        if (!v.is_number_integer() || (v.get<int>() != 0 && v.get<int>() != 1))
            throw RoutingError(std::string(what) + ": expected 0/1 entries, got " + p.dump());
        out.push_back(v.get<int>());
    }
    return out;
}

Decisions route_by_bin_flags(const data::Dataset& ds, const data::View& rows, const Params& p, const Bins& bins,
                             const char* what) {
    const auto flags = flags_param(p, bins.count(), what);
    const std::vector<double> c = confidences(ds, rows);
    std::vector<std::uint8_t> flag_of_bin(flags.begin(), flags.end());
    Decisions d(rows.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
        const int b = bins.nearest(c[i]);
        if (b < 0 || b >= bins.count())
            throw RoutingError("row " + row_name(ds, rows[i]) + ": verifier confidence " + format_number(c[i]) +
                               " is in no bin");
        d[i] = flag_of_bin[static_cast<std::size_t>(b)];
    }
    return d;
}

std::string describe_bin_flags(const Params& p, const Bins& bins, const char* what) {
    const auto flags = flags_param(p, bins.count(), what);
    std::string s = "escalate bins {";
    bool first = true;
    for (int k = 0; k < bins.count(); ++k) {
        if (!flags[k]) continue;
        s += (first ? "" : ", ") + std::to_string(k);
        first = false;
    }
    return s + "}";
}

}  // namespace detail
}  // namespace automix::routing
