// FixedAnswerRouting(X) (qasper): escalate iff X escalates or the SLM answer is a substring
// of the literal "unanswerable'." — the reference passes that string where a list of answers
// was meant, so "", "unanswerable" and "'." escalate but "Unanswerable" does not.
#include <cctype>
#include <string_view>

#include "core/routing/common.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

constexpr std::string_view kFixedRoutingElems = "unanswerable'.";

class FixedAnswerMethod : public Method {
  public:
    explicit FixedAnswerMethod(MethodPtr inner) : inner_(std::move(inner)) {}
    std::string name() const override { return "FixedAnswerRouting(" + inner_->name() + ")"; }
    std::vector<std::string> aliases() const override {
        const std::string s = key_of(*inner_);
        return {"fixed_answer_" + s, "fixed_answer(" + s + ")", "fixed_answer_routing_" + s,
                "fixed_answer_routing(" + s + ")"};
    }
    bool runs_by_default_on(std::string_view dataset) const override { return dataset == "qasper"; }
    // The inner method's controls (the rule adds no parameter), a colour of its own.
    Capabilities capabilities() const override {
        Capabilities c = inner_->capabilities();
        c.key = "fixed_answer_" + key_of(*inner_);
        c.colour_slot = c.wrapped_colour_slot;
        c.wrapped_colour_slot = -1;
        c.panel.clear();
        c.on_samples_curve = false;
        c.wrappers.clear();
        return c;
    }
    std::optional<Params> params_from_controls(const std::vector<double>& values,
                                               const std::vector<Params>& candidates) const override {
        return inner_->params_from_controls(values, candidates);
    }
    std::optional<std::vector<double>> controls_of(const Params& p) const override { return inner_->controls_of(p); }

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
            return "SLM answer \"" + std::string(ds.models.front().answer[row]) +
                   "\" is a substring of \"unanswerable'.\" → escalate";
        return inner_->explain(ds, train, row, p, cfg);
    }

    nlohmann::json extra(const data::Dataset& ds, const data::View& train, const Params& p,
                         const Config& cfg) const override {
        return inner_->extra(ds, train, p, cfg);
    }
    StreamedExtra extra_streamed(const data::Dataset& ds, const data::View& train, const Params& p,
                                 const Config& cfg) const override {
        return inner_->extra_streamed(ds, train, p, cfg);
    }

  private:
    static std::string key_of(const Method& m) {
        std::string key = m.capabilities().key;
        if (key.empty())
            for (const char c : m.name()) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return key;
    }
    static bool fixed(const data::Dataset& ds, data::RowIndex r) {
        const auto& m = ds.models.front();
        if (r >= m.answer.size() || (r < m.has_answer.size() && !m.has_answer[r]))
            throw RoutingError("row " + detail::row_name(ds, r) + ": no small-model answer");
        return kFixedRoutingElems.find(m.answer[r]) != std::string_view::npos;
    }

    MethodPtr inner_;
};

}  // namespace

// Around every method that lists "fixed_answer" in its Capabilities::wrappers, after POMDP.
AUTOMIX_REGISTER_WRAPPER(fixed_answer, 800,
                         [](MethodPtr inner) { return std::make_shared<FixedAnswerMethod>(std::move(inner)); })

}  // namespace automix::routing
