#include "core/eval/cost_quality.hpp"

#include <algorithm>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/eval/trainer.hpp"

namespace automix::eval {

std::vector<routing::MethodPtr> chart_methods(const std::string& dataset_name) {
    std::vector<routing::MethodPtr> out;
    for (const auto& m : routing::all_methods())
        if (!routing::is_reference(*m) && m->runs_by_default_on(dataset_name)) out.push_back(m);
    return out;
}

namespace {

MethodCurve curve_of(const routing::Method& m, const data::Dataset& ds, const data::View& train, const data::View& eval,
                     const CostModel& costs, const routing::Config& cfg) {
    MethodCurve c;
    c.method = m.name();
    try {
        FitOptions options;
        options.route_chosen = false;  // the chosen candidate is one of the curve's points
        options.score_candidates = true;
        const Fit fit = fit_and_score(m, ds, ScoredView::for_method(ds, train, m, costs),
                                      ScoredView::for_method(ds, eval, m, costs), cfg, options);
        const std::vector<routing::Params> params = params_of(fit.train);
        for (std::size_t i = 0; i < params.size(); ++i)
            c.points.push_back({params[i], m.describe(params[i], cfg), fit.scored_candidates[i]});
        c.trained = fit.train.best;
        c.train_lift = fit.train.train_lift();
        c.ok = true;
    } catch (const std::exception& e) {
        c.error = e.what();
        c.points.clear();
    }
    return c;
}

}  // namespace

CostQuality cost_quality(const data::Dataset& ds, const data::View& train, const data::View& eval,
                         const std::vector<routing::MethodPtr>& methods, const routing::Config& cfg,
                         const std::function<bool(std::size_t, std::size_t)>& progress, int random_steps) {
    if (eval.empty()) throw std::invalid_argument("no rows to evaluate on");
    const CostModel costs = CostModel::from(cfg);
    const int last = static_cast<int>(ds.models.size()) - 1;
    const ScoredView two(ds, eval, {0, last}, costs);
    CostQuality cq;
    cq.small_only = two.evaluate_constant(0);
    cq.large_only = two.evaluate_constant(1);
    const routing::MethodPtr oracle = routing::find_reference(routing::Capabilities::Tone::Oracle);
    const routing::MethodPtr random = routing::find_reference(routing::Capabilities::Tone::RandomMix);
    if (oracle) cq.oracle = two.evaluate(oracle->route(ds, eval, routing::Params(), cfg));
    if (random && random_steps > 0) {
        for (int s = 0; s <= random_steps; ++s) {
            const routing::Params p(static_cast<double>(s) / random_steps);
            cq.random_mix.push_back({p, random->describe(p, cfg), two.evaluate(random->route(ds, eval, p, cfg))});
        }
    }

    // Methods are independent: run them on a few threads (each has its own ScoredViews), and
    // report progress / honour cancellation as they finish, in order.
    const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
    std::vector<std::future<MethodCurve>> pending;
    std::size_t next = 0;
    auto launch = [&] {
        while (next < methods.size() && pending.size() - cq.methods.size() < threads) {
            const routing::Method* m = methods[next++].get();
            pending.push_back(std::async(std::launch::async, [m, &ds, &train, &eval, &costs, &cfg] {
                return curve_of(*m, ds, train, eval, costs, cfg);
            }));
        }
    };
    launch();
    while (cq.methods.size() < pending.size()) {
        cq.methods.push_back(pending[cq.methods.size()].get());
        if (progress && !progress(cq.methods.size(), methods.size())) {
            cq.cancelled = true;
            for (std::size_t i = cq.methods.size(); i < pending.size(); ++i) pending[i].wait();
            break;
        }
        launch();
    }

    // Pareto frontier over every candidate point of every method.
    std::vector<Metrics> all;
    std::vector<ParetoEntry> where;
    for (std::size_t m = 0; m < cq.methods.size(); ++m)
        for (std::size_t p = 0; p < cq.methods[m].points.size(); ++p) {
            all.push_back(cq.methods[m].points[p].metrics);
            where.push_back({m, p});
        }
    for (std::size_t i : pareto_frontier(all)) cq.pareto.push_back(where[i]);
    return cq;
}

DataTable cost_quality_table(const CostQuality& cq) {
    // The figures of every point: each field of metric_fields(), by its key, in table order.
    DataTable t;
    t.columns = {"series", "method", "params", "description"};
    for (const MetricField& f : metric_fields()) t.columns.emplace_back(f.key);
    t.columns.insert(t.columns.end(), {"trained", "pareto"});
    auto add = [&t](const std::string& series, const std::string& method, const std::string& params,
                    const std::string& text, const Metrics& m, bool trained, bool pareto) {
        std::vector<Cell> row{series, method, params, text};
        for (const MetricField& f : metric_fields()) row.emplace_back(f.value(m));
        row.insert(row.end(), {trained ? 1.0 : 0.0, pareto ? 1.0 : 0.0});
        t.add(std::move(row));
    };
    add("small_only", "always_small", "null", "-", cq.small_only, false, false);
    add("large_only", "always_large", "null", "-", cq.large_only, false, false);
    add("oracle", "oracle", "null", "-", cq.oracle, false, false);
    for (const auto& p : cq.random_mix)
        add("random_mix", "random_mix", p.params.dump(), p.text, p.metrics, false, false);
    std::set<std::pair<std::size_t, std::size_t>> pareto;
    for (const auto& e : cq.pareto) pareto.insert({e.method, e.point});
    for (std::size_t m = 0; m < cq.methods.size(); ++m) {
        const MethodCurve& c = cq.methods[m];
        for (std::size_t p = 0; p < c.points.size(); ++p)
            add("candidate", c.method, c.points[p].params.dump(), c.points[p].text, c.points[p].metrics, p == c.trained,
                pareto.count({m, p}) > 0);
    }
    return t;
}

DataTable cost_quality_table(const std::vector<std::pair<std::string, CostQuality>>& by_dataset) {
    DataTable t;
    t.columns = {"dataset"};
    for (const auto& [name, cq] : by_dataset) {
        const DataTable one = cost_quality_table(cq);
        if (t.columns.size() == 1) t.columns.insert(t.columns.end(), one.columns.begin(), one.columns.end());
        for (const auto& row : one.rows) {
            std::vector<Cell> line{name};
            line.insert(line.end(), row.begin(), row.end());
            t.add(std::move(line));
        }
    }
    if (t.columns.size() == 1) {  // no dataset: still the full header
        const DataTable empty = cost_quality_table(CostQuality{});
        t.columns.insert(t.columns.end(), empty.columns.begin(), empty.columns.end());
    }
    return t;
}

}  // namespace automix::eval
