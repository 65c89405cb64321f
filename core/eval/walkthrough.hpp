#pragma once
// One query through the pipeline, step by step, for teaching (the explorer's Walk through,
// F9): the small model's answer and score; its verifier samples one by one with the running
// confidence; the confidence bin; the POMDP's view of that bin (belief over NEEDY / GOOD /
// HOPELESS from the train rows, and for a POMDP policy the action values); for the cascade
// every model step with its belief and Q-values; the decision with the method's own reason,
// its cost, and what the oracle would have done. All numbers come from here; the GUI shows them.
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

struct WalkSample {
    std::string text;
    data::SampleVerdict verdict = data::SampleVerdict::None;
    int correct = 0, incorrect = 0;  // verdicts so far, this one included
    double confidence = 0;           // running: correct / (correct + incorrect), 0 before any verdict
};

// The POMDP's observation of the bin: which kind of query rows of that confidence were on
// the train split (method §5 categories), and the stay / escalate values of the reward that
// gives the trained per-bin policy (POMDPSimple, or POMDP via its POMDPSimple member).
struct WalkBelief {
    bool available = false;  // the train rows are known and the bin exists
    std::size_t train_rows = 0;
    double needy = 0, good = 0, hopeless = 0;
    bool has_values = false;
    int reward = -1;
    double stay = 0, escalate = 0;
};

struct WalkCascadeStep {
    int model = 0;  // dataset model index
    std::string model_name;
    double confidence = 0;  // this model's verifier confidence (NaN at the last model)
    int bin = -1;           // -1 at the last model (never verified)
    std::vector<std::string> states;  // hidden-state labels ("✓✗✓")
    std::vector<double> belief;       // P(state | bins so far)
    double q_report = 0, q_escalate = 0;  // q_escalate NaN at the last model
    bool escalate = false;
    double cost_so_far = 0;
};

struct Walkthrough {
    std::string id, dataset, question, gold;
    std::string small_name, small_answer;
    double small_score = 0;
    std::vector<WalkSample> samples;  // the small model's, in order
    double confidence = 0;            // the row's verifier confidence (what routing reads)
    int num_bins = 0, bin = -1;
    double bin_centre = 0;
    WalkBelief belief;
    std::vector<WalkCascadeStep> cascade;  // the cascade method only
    std::string method, params;            // name, describe()
    int decision = -1;                     // ladder index the method chose
    int answering_model = -1;              // dataset model index
    std::string answering_name;
    std::string answer;  // the answering model's answer
    double answer_score = 0;
    double cost = 0;     // calls up the ladder to the answering model + one verification
    std::string reason;  // the method's explain()
    int oracle_model = -1;  // cheapest ladder model with the best score
    std::string oracle_name;
    double oracle_cost = 0;
    bool matches_oracle = false;
};

// `train` = the rows the parameters were trained on (empty: no belief, no cascade steps).
// Throws routing::RoutingError when the method cannot route the row.
Walkthrough walk_through(const data::Dataset& ds, data::RowIndex row, const routing::Method& method,
                         const routing::Params& params, const routing::Config& cfg, const data::View& train);

}  // namespace automix::eval
