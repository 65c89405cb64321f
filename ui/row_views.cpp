#include "ui/row_views.hpp"

namespace automix::ui {

RowViews::Rows RowViews::keep(std::map<std::pair<int, SplitScope>, Rows>& in, std::pair<int, SplitScope> key,
                              data::View rows) {
    Rows made = std::make_shared<const data::View>(std::move(rows));
    in[key] = made;
    std::size_t bytes = 0;
    for (const auto* cache : {&scopes_, &measured_})
        for (const auto& [k, list] : *cache) bytes += list->size() * sizeof(data::RowIndex);
    for (auto* cache : {&scopes_, &measured_})
        for (auto it = cache->begin(); it != cache->end() && bytes > keptBytes_;) {
            if (it->second.use_count() == 1) {
                bytes -= it->second->size() * sizeof(data::RowIndex);
                it = cache->erase(it);
            } else {
                ++it;
            }
        }
    return made;
}

RowViews::Rows RowViews::scope(int dataset, SplitScope split) {
    if (!data_) return std::make_shared<const data::View>();
    const std::pair key{dataset, split};
    if (auto it = scopes_.find(key); it != scopes_.end()) return it->second;
    if (split == SplitScope::All) {
        if (dataset >= 0) return scopes_[key] = ofDataset(dataset);
        return keep(scopes_, key, data_->all_rows());
    }
    return keep(scopes_, key, data_->rows(dataset, split == SplitScope::Val ? data::Split::Val : data::Split::Train));
}

RowViews::Rows RowViews::measured(int dataset, SplitScope split) {
    Rows rows = scope(dataset, split);
    if (!data_ || data_->unmeasured.empty()) return rows;
    const std::pair key{dataset, split};
    if (auto it = measured_.find(key); it != measured_.end()) return it->second;
    return keep(measured_, key, data_->measured(*rows));
}

RowViews::Rows RowViews::ofDataset(int dataset) {
    if (!data_ || dataset < 0 || static_cast<std::size_t>(dataset) >= data_->dataset_names.size())
        return std::make_shared<const data::View>();
    if (byDataset_.empty()) {
        std::vector<data::View> lists(data_->dataset_names.size());
        for (std::size_t r = 0; r < data_->size(); ++r)
            lists[data_->dataset_index[r]].push_back(static_cast<data::RowIndex>(r));
        for (data::View& list : lists) byDataset_.push_back(std::make_shared<const data::View>(std::move(list)));
    }
    return byDataset_[static_cast<std::size_t>(dataset)];
}

}  // namespace automix::ui
