// FixedAnswerRouting(X) (qasper): escalate iff X escalates or the SLM answer is a substring
// of the literal "unanswerable'." — the reference passes that string where a list of answers
// was meant, so "", "unanswerable" and "'." escalate but "Unanswerable" does not.
#include <string_view>

#include "core/routing/common.hpp"
#include "core/routing/methods.hpp"

namespace automix::routing {
namespace {

constexpr std::string_view kFixedRoutingElems = "unanswerable'.";

std::string snake(const std::string& camel) {
    static const std::pair<const char*, const char*> known[] = {{"Threshold", "threshold"},
                                                                {"DoubleThreshold", "double_threshold"},
                                                                {"TripleThreshold", "triple_threshold"},
                                                                {"POMDPSimple", "pomdp_simple"},
                                                                {"GreedyPOMDP", "greedy_pomdp"},
                                                                {"POMDP", "pomdp"}};
    for (const auto& [from, to] : known)
        if (camel == from) return to;
    return camel;
}

class FixedAnswerMethod : public Method {
  public:
    explicit FixedAnswerMethod(MethodPtr inner) : inner_(std::move(inner)) {}
    std::string name() const override { return "FixedAnswerRouting(" + inner_->name() + ")"; }
    std::vector<std::string> aliases() const override {
        const std::string s = snake(inner_->name());
        return {"fixed_answer_" + s, "fixed_answer(" + s + ")", "fixed_answer_routing_" + s,
                "fixed_answer_routing(" + s + ")"};
    }
    bool runs_by_default_on(std::string_view dataset) const override { return dataset == "qasper"; }

    std::vector<Params> candidates(const data::Dataset& ds, const data::View& train, const Config& cfg) const override {
        return inner_->candidates(ds, train, cfg);
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p,
                    const Config& cfg) const override {
        Decisions d = inner_->route(ds, rows, p, cfg);
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (fixed(ds, rows[i])) d[i] = 1;
        return d;
    }

    std::string describe(const Params& p, const Config& cfg) const override {
        return inner_->describe(p, cfg) + " + fixed answers";
    }

    std::string explain(const data::Dataset& ds, const data::View& train, data::RowIndex row, const Params& p,
                        const Config& cfg) const override {
        if (fixed(ds, row))
            return "SLM answer \"" + ds.models.front().answer[row] +
                   "\" is a substring of \"unanswerable'.\" → escalate";
        return inner_->explain(ds, train, row, p, cfg);
    }

    nlohmann::json extra(const data::Dataset& ds, const data::View& train, const Params& p,
                         const Config& cfg) const override {
        return inner_->extra(ds, train, p, cfg);
    }

  private:
    static bool fixed(const data::Dataset& ds, data::RowIndex r) {
        const auto& m = ds.models.front();
        if (r >= m.answer.size() || (r < m.has_answer.size() && !m.has_answer[r]))
            throw RoutingError("row " + detail::row_name(ds, r) + ": no small-model answer");
        return kFixedRoutingElems.find(m.answer[r]) != std::string_view::npos;
    }

    MethodPtr inner_;
};

}  // namespace

MethodPtr make_fixed_answer(MethodPtr inner) {
    return std::make_shared<FixedAnswerMethod>(std::move(inner));
}

}  // namespace automix::routing
