#pragma once
// Two routings of the same rows side by side: which queries each escalates, where they differ,
// and how many of each group the oracle would escalate (a larger model scores higher than
// the first). `automix eval --compare A,B` and the explorer's comparison use it.
//
//   RoutingChoice a = parse_routing_choice("Threshold@0.375"), b = parse_routing_choice("POMDP");
//   DatasetComparison c = compare_on(ds, train, val, a, b, cfg);
//   c.counts.only_a   // rows A escalates and B keeps small
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/eval/data_table.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

// A method, and the parameters to route with; without them, those trained on the train rows.
struct RoutingChoice {
    routing::MethodPtr method;
    std::optional<routing::Params> params;
    std::string label() const;  // "Threshold" or "Threshold@0.375"
};
// "Name" or "Name@JSON" (e.g. "Threshold@0.375", "GreedyPOMDP@[0,0,1,1,0,0,0,0,0]"); names as
// the registry knows them (aliases too). Throws std::invalid_argument with the reason.
RoutingChoice parse_routing_choice(const std::string& text);

// The parameters a choice routes with on these train rows, and its decisions on `rows`
// (ladder index per row, 0 = the first model). Throws like the method does.
struct ChoiceRouting {
    routing::Params params;
    std::string description;  // Method::describe of the parameters
    std::vector<int> ladder;  // dataset model indices of the method's ladder
    routing::Decisions decisions;
};
ChoiceRouting route_choice(const data::Dataset& ds, const data::View& train, const data::View& rows,
                           const RoutingChoice& choice, const routing::Config& cfg);

// The oracle escalates a row when some larger model's answer scores higher than the first's.
bool oracle_escalates(const data::Dataset& ds, data::RowIndex row);

struct CompareCounts {
    // Rows escalated by both, by A only, by B only, by neither.
    std::size_t both = 0, only_a = 0, only_b = 0, neither = 0;
    // Of each group, the rows the oracle escalates.
    std::size_t oracle_both = 0, oracle_only_a = 0, oracle_only_b = 0, oracle_neither = 0;
    std::size_t differ() const { return only_a + only_b; }
    std::size_t total() const { return both + only_a + only_b + neither; }
};
// `a` and `b` are per-row escalation flags (decision > 0), `oracle` per-row oracle flags.
CompareCounts count_decisions(const std::vector<bool>& a, const std::vector<bool>& b, const std::vector<bool>& oracle);

struct DatasetComparison {
    std::string dataset;
    data::View rows;  // the evaluated rows
    ChoiceRouting a, b;
    std::vector<bool> oracle;  // per row of `rows`
    CompareCounts counts;
};
DatasetComparison compare_on(const data::Dataset& ds, const std::string& dataset_name, const data::View& train,
                             const data::View& rows, const RoutingChoice& a, const RoutingChoice& b,
                             const routing::Config& cfg);

// One line per row where A and B decide differently: dataset, id, split, each routing's
// answering model, the models' scores, whether the oracle escalates and which routing it sides with.
DataTable disagreement_table(const data::Dataset& ds, const std::vector<DatasetComparison>& comparisons);
// One line per dataset: the four counts and the oracle's share of each.
DataTable compare_counts_table(const std::vector<DatasetComparison>& comparisons);

}  // namespace automix::eval
