// Dataset views and the hidden categories of method §5 (hand-worked cases).
#include <QtTest>

#include <cmath>

#include "core/data/categories.hpp"
#include "core/data/dataset.hpp"

using namespace automix::data;

namespace {

Dataset two_model_dataset(const std::vector<double>& slm, const std::vector<double>& llm) {
    Dataset d;
    d.models.resize(2);
    d.dataset_names = {"a", "b"};
    for (std::size_t i = 0; i < slm.size(); ++i) {
        d.id.push_back("r" + std::to_string(i));
        d.dataset_index.push_back(static_cast<std::uint16_t>(i % 2));
        d.split.push_back(i < 3 ? Split::Train : Split::Val);
        d.category_from_file.push_back(0);
        d.category.push_back(Category::Undefined);
        d.models[0].score.push_back(slm[i]);
        d.models[1].score.push_back(llm[i]);
    }
    return d;
}

}  // namespace

class TestDataset : public QObject {
    Q_OBJECT

  private slots:
    void quantileMatchesNumpyLinear() {
        // numpy.percentile(x, 10) by hand: index (n-1)*q, linear between neighbours.
        QCOMPARE(quantile_linear({1, 2, 3, 4, 5}, 0.1), 1.4);   // index 0.4: 1 + 0.4*(2-1)
        QCOMPARE(quantile_linear({5, 4, 3, 2, 1}, 0.1), 1.4);   // order does not matter
        QCOMPARE(quantile_linear({0, 0, 0, 1}, 0.1), 0.0);      // index 0.3 between two zeros
        QCOMPARE(quantile_linear({0, 0.5, 1}, 0.1), 0.1);       // index 0.2: 0.5*0.2
        QCOMPARE(quantile_linear({1, kMissing, 3}, 0.5), 2.0);  // NaN ignored (pandas), index 0.5
        QCOMPARE(quantile_linear({0, 10}, 0.9), 9.0);           // the g >= 0.5 branch
        QCOMPARE(quantile_linear({7}, 0.1), 7.0);
        QCOMPARE(quantile_linear({2, 8}, 0.0), 2.0);
        QCOMPARE(quantile_linear({2, 8}, 1.0), 8.0);
        QVERIFY(std::isnan(quantile_linear({}, 0.1)));
        QVERIFY(std::isnan(quantile_linear({kMissing}, 0.1)));
        // 11 values 0, 0.1, ..., 1.0: index 1.0 exactly, so the second value.
        std::vector<double> tenth;
        for (int i = 0; i <= 10; ++i) tenth.push_back(i / 10.0);
        QCOMPARE(quantile_linear(tenth, 0.1), 0.1);
    }

    void categoryRulesFirstMatchWins() {
        QCOMPARE(categorize(0.2, 0.5, 0.1, 0.0), Category::Needy);
        QCOMPARE(categorize(0.0, 0.0001, 0.1, 0.5), Category::Needy);  // NEEDY before HOPELESS
        QCOMPARE(categorize(0.5, 0.5, 0.1, 0.0), Category::Good);
        QCOMPARE(categorize(0.0, 0.0, 0.0, 0.0), Category::Hopeless);    // equal but zero: not GOOD
        QCOMPARE(categorize(0.05, 0.0, 0.1, 0.0), Category::Hopeless);   // slm > llm, both under the cut-offs
        QCOMPARE(categorize(0.9, 0.2, 0.1, 0.0), Category::Undefined);   // slm > llm
        QCOMPARE(categorize(0.0, 0.0, -0.1, 0.0), Category::Undefined);  // above the slm cut-off
        QCOMPARE(categorize(kMissing, 1.0, 0.1, 0.1), Category::Undefined);
    }

    void computeCategoriesUsesWholeFileCutoffs() {
        // slm sorted 0,0,0.2,0.5,1 -> q13 = 0; llm sorted 0,0,0.5,1,1 -> q70 = 0.
        Dataset d = two_model_dataset({0, 0, 1, 0.5, 0.2}, {0, 1, 1, 0.5, 0});
        d.category_from_file[2] = 1;
        d.category[2] = Category::Hopeless;  // from the file: kept even though the rule says GOOD
        compute_categories(d);
        QCOMPARE(d.category[0], Category::Hopeless);
        QCOMPARE(d.category[1], Category::Needy);
        QCOMPARE(d.category[2], Category::Hopeless);
        QCOMPARE(d.category[3], Category::Good);
        QCOMPARE(d.category[4], Category::Undefined);  // 0.2 > q13 = 0
    }

    void cutoffsSpanAllDatasetsAndSplits() {
        // Per dataset "a" alone (rows 0, 2, 4: slm 0.3, 0.3, 0.3) the cut-off would be 0.3 and
        // row 0 HOPELESS; over the whole file it is 0.1 (index 0.5 between 0 and 0.2) and row 0 is
        // UNDEFINED.
        Dataset d = two_model_dataset({0.3, 0.0, 0.3, 0.2, 0.3, 0.9}, {0.1, 0.0, 0.2, 0.1, 0.2, 0.9});
        compute_categories(d);
        QCOMPARE(d.category[0], Category::Undefined);
        QCOMPARE(d.category[1], Category::Hopeless);
        QCOMPARE(d.category[5], Category::Good);
    }

    void viewsAreRowIndicesInFileOrder() {
        Dataset d = two_model_dataset({0, 0, 0, 0, 0}, {0, 0, 0, 0, 0});
        QCOMPARE(d.rows(0, Split::Train), (View{0, 2}));
        QCOMPARE(d.rows(1, Split::Val), (View{3}));
        QCOMPARE(d.rows(-1, Split::Val), (View{3, 4}));
        QCOMPARE(d.all_rows(), (View{0, 1, 2, 3, 4}));
        QCOMPARE(d.find_dataset("b"), 1);
        QCOMPARE(d.find_dataset("zz"), -1);
        QCOMPARE(d.context(0), std::string());  // no store: empty, not a crash
    }

    void rowsByDatasetEqualsOneScanPerDataset() {
        Dataset d = two_model_dataset({0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0});
        d.dataset_names.push_back("never used");
        d.split[5] = Split::Other;
        const RowsByDataset by(d);
        for (int ds = 0; ds < 3; ++ds)
            for (const Split s : {Split::Train, Split::Val, Split::Other}) QCOMPARE(by.rows(ds, s), d.rows(ds, s));
        QCOMPARE(by.rows(1, Split::Other), (View{5}));
        QVERIFY(by.rows(2, Split::Train).empty());
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
