#pragma once
// Hand-built datasets for the routing / metrics / trainer tests (header only, so it is not
// linked into other areas' tests).
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/method.hpp"

namespace automix::testing {

struct RowSpec {
    double conf;
    double slm;
    double llm;
    data::Category category = data::Category::Undefined;
    std::string answer = "x";
    data::Split split = data::Split::Train;
};

inline data::Dataset make_dataset(const std::vector<RowSpec>& rows, const std::string& name = "coqa") {
    data::Dataset ds;
    ds.dataset_names = {name};
    ds.models.resize(2);
    ds.models[0].name = "llama13b";
    ds.models[1].name = "llama70b";
    ds.models[0].call_cost = 1;
    ds.models[1].call_cost = 50;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const RowSpec& r = rows[i];
        ds.id.push_back("r" + std::to_string(i));
        ds.pid.push_back("");
        ds.question.push_back("");
        ds.gold.push_back("");
        ds.dataset_index.push_back(0);
        ds.split.push_back(r.split);
        ds.category.push_back(r.category);
        ds.category_from_file.push_back(1);
        ds.extra_json.push_back("");
        ds.source_line.push_back(static_cast<std::uint32_t>(i + 1));
        ds.models[0].answer.push_back(r.answer);
        ds.models[0].has_answer.push_back(1);
        ds.models[0].score.push_back(r.slm);
        ds.models[0].verifier_samples.emplace_back();
        ds.models[0].verifier_confidence.push_back(r.conf);
        ds.models[1].answer.push_back("y");
        ds.models[1].has_answer.push_back(1);
        ds.models[1].score.push_back(r.llm);
        ds.models[1].verifier_samples.emplace_back();
        ds.models[1].verifier_confidence.push_back(data::kMissing);
    }
    return ds;
}

// Rows with the given confidences and scores 0/1 (only routing is looked at).
inline data::Dataset confidences(const std::vector<double>& conf) {
    std::vector<RowSpec> rows;
    for (double c : conf) rows.push_back({c, 0.0, 1.0});
    return make_dataset(rows);
}

inline std::vector<std::uint8_t> bytes(std::initializer_list<int> v) {
    return std::vector<std::uint8_t>(v.begin(), v.end());
}

inline routing::Decisions decisions(std::initializer_list<int> v) {
    return routing::Decisions(v.begin(), v.end());
}

}  // namespace automix::testing
