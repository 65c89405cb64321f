#pragma once
// The row lists of one loaded file by dataset and split, each made the first time a scope asks
// for it and then shared by every scope that needs it. A split change at ten million rows used
// to scan the file three times and fill three fresh lists of up to 40 MB on the GUI thread;
// going back to a scope seen before now costs nothing. One thread at a time (made by the load
// job, then handed to the GUI thread).
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/data/dataset.hpp"

namespace automix::ui {

enum class SplitScope { Val, Train, All };

class RowViews {
  public:
    using Rows = std::shared_ptr<const data::View>;

    // Lists no snapshot holds any more are let go once the cache holds more than `keptBytes`
    // (ten million rows: a handful of scopes' lists), so visiting every scope of a large file
    // does not add up.
    static constexpr std::size_t kKeptBytes = std::size_t{256} << 20;
    explicit RowViews(std::shared_ptr<const data::Dataset> ds, std::size_t keptBytes = kKeptBytes)
        : data_(std::move(ds)), keptBytes_(keptBytes) {}
    const std::shared_ptr<const data::Dataset>& data() const { return data_; }

    // Rows of `dataset` (-1 = every dataset) in `split` (All = every split), in file order.
    Rows scope(int dataset, SplitScope split);
    // The same without the rows a routed live run left unmeasured (the same list when none is).
    Rows measured(int dataset, SplitScope split);
    // Every row of one dataset; the lists of all datasets are made in one pass.
    Rows ofDataset(int dataset);

  private:
    Rows keep(std::map<std::pair<int, SplitScope>, Rows>& in, std::pair<int, SplitScope> key, data::View rows);

    std::shared_ptr<const data::Dataset> data_;
    std::size_t keptBytes_;
    std::map<std::pair<int, SplitScope>, Rows> scopes_, measured_;
    std::vector<Rows> byDataset_;
};

}  // namespace automix::ui
