// consumer <data.jsonl>: loads a file with the installed core, routes it with Threshold at the
// best candidate on the whole file, and prints what it got. Exit 1 on anything unexpected.
#include <cmath>
#include <cstdio>
#include <exception>

#include <automix/core/data/reader.hpp>
#include <automix/core/eval/metrics.hpp>
#include <automix/core/routing/method.hpp>

int main(int argc, char** argv) {
    using namespace automix;
    if (argc != 2) {
        std::fprintf(stderr, "usage: consumer <data.jsonl>\n");
        return 2;
    }
    try {
        const data::LoadResult loaded = data::load_file(argv[1]);
        const data::Dataset& ds = loaded.dataset;
        const routing::MethodPtr threshold = routing::find_method("threshold");
        if (!threshold) {
            std::fprintf(stderr, "no Threshold method registered\n");
            return 1;
        }
        const routing::Config cfg;
        const eval::ScoredView view =
            eval::ScoredView::for_method(ds, ds.all_rows(), *threshold, eval::CostModel::from(cfg));
        const auto candidates = threshold->candidates(ds, view.rows(), cfg);
        double best_perf = -1;
        eval::Metrics best;
        for (const routing::Params& p : candidates) {
            const eval::Metrics m = view.evaluate(threshold->route(ds, view.rows(), p, cfg));
            if (m.avg_perf > best_perf) best_perf = m.avg_perf, best = m;
        }
        if (ds.size() == 0 || candidates.empty() || !std::isfinite(best.avg_cost) || best.n != ds.size()) {
            std::fprintf(stderr, "unexpected result: %zu rows, %zu candidates\n", ds.size(), candidates.size());
            return 1;
        }
        std::printf("rows=%zu candidates=%zu best_perf=%.4f cost=%.3f escalated=%.3f\n", ds.size(),
                    candidates.size(), best.avg_perf, best.avg_cost, best.escalated_fraction);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    }
}
