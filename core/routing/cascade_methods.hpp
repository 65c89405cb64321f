#pragma once
// The N-model cascade methods (method §7), each registered by its own file, as
// routing::Method so that `automix eval`, the trainer and the GUI treat them like every other
// method. Their decisions index every
// model of the dataset (uses_all_models): 0 = the first model's answer, N−1 = the last's.
//
//   Cascade            — the POMDP meta-verifier over belief states, solved exactly
//                        (cascade_pomdp.cpp). Candidates = the distinct optimal policies over
//                        λ, cheapest first; parameter = {"lambda", "lambda_hi", "models",
//                        "bins", "escalate_nodes"} (cascade_router.hpp).
//   CascadeAlways      — fixed: call every model in order, report the last (cascade_always.cpp).
//   CascadeThresholds  — fixed: escalate from m_j iff its confidence ≤ t_j; thresholds
//                        trained greedily step by step (cascade_thresholds.cpp).
//   CascadeOracle      — the cheapest model whose score ≥ τ (m_1 when none), paying for the
//                        cascade up to it; an upper bound, not a router (cascade_oracle.cpp).
#include "core/routing/cascade_model.hpp"
#include "core/routing/method.hpp"
