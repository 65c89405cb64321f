// `automix serve`'s router in process (ChatRouter::handle, no socket) in front of a foreign
// server: the belief a reply carries (from the belief table an emitted config holds), and
// labelled requests (the client's `automix.gold`) whose request-log rows load scored.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>

#include "core/data/reader.hpp"
#include "core/live/chat_router.hpp"
#include "core/routing/method.hpp"
#include "support_foreign.hpp"
#include "support_live.hpp"

using namespace automix;
using namespace automix::live;
using nlohmann::json;

namespace {

// A belief table for 8 bins: bin k holds 10·k train rows, GOOD = k/8.
json belief_table() {
    json bins = json::array();
    for (int k = 0; k <= 8; ++k) {
        const double good = k / 8.0;
        bins.push_back({{"rows", 10 * k}, {"p", {(1 - good) / 2, good, (1 - good) / 2}}});
    }
    return {{"states", {"NEEDY", "GOOD", "HOPELESS"}}, {"bins", bins}};
}

json config_json(const std::string& base_url, const json& meta) {
    json small = {{"name", "small"}, {"base_url", base_url}, {"model", "small-model"}, {"price_per_call", 0.001}};
    json large = {{"name", "large"}, {"base_url", base_url}, {"model", "large-model"}, {"price_per_call", 0.05}};
    return {{"models", {small, large}},
            {"verifier", {{"k", 4}}},
            {"meta_verifier", meta},
            {"retry", {{"max_attempts", 2}, {"initial_backoff_s", 0.01}, {"max_backoff_s", 0.02}}}};
}

HttpRequest chat(const json& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/v1/chat/completions";
    r.body = body.dump();
    return r;
}

json question(const json& extra = json::object()) {
    json b = {{"model", "automix"},
              {"messages",
               {{{"role", "system"}, {"content", "Paris is the capital of France."}},
                {{"role", "user"}, {"content", "What is the capital of France?"}}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it) b[it.key()] = it.value();
    return b;
}

}  // namespace

class ServeLabelsBeliefTest : public QObject {
    Q_OBJECT
  private slots:
    void replyCarriesTheBeliefOfItsConfidenceBin();
    void emittedConfigHoldsTheTrainRowsBeliefTable();
    void labelledRequestsLoadAsScoredRows();
    void cascadeReplyCarriesItsBelief();
};

void ServeLabelsBeliefTest::replyCarriesTheBeliefOfItsConfidenceBin() {
    live_test::ForeignOptions o;
    o.verdict = "correct";  // every sample says correct: confidence 1, bin 8
    live_test::ForeignServer server(o);
    json meta = {{"method", "Threshold"}, {"params", 0.5}, {"num_bins", 8}, {"belief", belief_table()}};
    ChatRouter router(parse_models_config(config_json(server.base_url(), meta).dump(), "belief.json"), {"", ""},
                      load_prompt_templates("", ""), nullptr, {});
    auto reply = router.handle(chat(question()));
    QVERIFY2(reply.status == 200, reply.body.c_str());
    json a = json::parse(reply.body)["automix"];
    QCOMPARE(a["belief"]["bin"].get<int>(), 8);
    QCOMPARE(a["belief"]["train_rows"].get<int>(), 80);
    QCOMPARE(a["belief"]["states"]["GOOD"].get<double>(), 1.0);
    QCOMPARE(a["steps"][0]["belief"], a["belief"]);
    // Half the samples incorrect: confidence 0.5, bin 4, GOOD 0.5; the route escalates.
    o.verdict = "incorrect";
    server.set_options(o);
    reply = router.handle(chat(question()));
    a = json::parse(reply.body)["automix"];
    QCOMPARE(a["steps"][0]["confidence"].get<double>(), 0.0);
    QCOMPARE(a["belief"]["bin"].get<int>(), 0);
    QCOMPARE(a["belief"]["states"]["NEEDY"].get<double>(), 0.5);
    QCOMPARE(a["path"], json({"small", "large"}));
    // A table for other bins than the config's (the Live tab can change num_bins) says nothing.
    auto rebinned = parse_models_config(config_json(server.base_url(), meta).dump(), "rebinned.json");
    rebinned.meta_verifier.num_bins = 16;
    ChatRouter other_bins(rebinned, {"", ""}, load_prompt_templates("", ""), nullptr, {});
    reply = other_bins.handle(chat(question()));
    QCOMPARE(reply.status, 200);
    QVERIFY(json::parse(reply.body)["automix"]["belief"].is_null());
    // A config without a table (written by hand) says so with null.
    meta.erase("belief");
    ChatRouter plain(parse_models_config(config_json(server.base_url(), meta).dump(), "plain.json"), {"", ""},
                     load_prompt_templates("", ""), nullptr, {});
    reply = plain.handle(chat(question()));
    QVERIFY(json::parse(reply.body)["automix"]["belief"].is_null());
    // A table that does not fit the bins is a config error naming the field.
    meta["belief"] = belief_table();
    meta["num_bins"] = 4;
    try {
        parse_models_config(config_json(server.base_url(), meta).dump(), "bad.json");
        QFAIL("accepted");
    } catch (const ConfigError& e) {
        QVERIFY2(std::string(e.what()).find("meta_verifier.belief: bins: expected num_bins + 1 = 5 entries, got 9") !=
                     std::string::npos,
                 e.what());
    }
}

void ServeLabelsBeliefTest::emittedConfigHoldsTheTrainRowsBeliefTable() {
    const auto ds = live_test::load_fixture();
    const data::View train = ds->rows(-1, data::Split::Train);
    QVERIFY(!train.empty());
    routing::Config cfg;
    cfg.num_bins = 8;
    const json out = routing_models_config(nullptr, *ds, train, "POMDP", json::array({json::array({0, 1}), 1}), cfg);
    const json& t = out["meta_verifier"]["belief"];
    QCOMPARE(t["states"], json({"NEEDY", "GOOD", "HOPELESS"}));
    QCOMPARE(t["bins"].size(), std::size_t{9});
    std::size_t rows = 0;
    double most = 0;
    for (const auto& b : t["bins"]) {
        rows += b["rows"].get<std::size_t>();
        // Rows of no category (method §5 UNDEFINED) count in `rows`, so a bin sums to at most 1.
        const double sum = b["p"][0].get<double>() + b["p"][1].get<double>() + b["p"][2].get<double>();
        QVERIFY(b["rows"] == 0 ? sum == 0.0 : sum <= 1.0 + 1e-9);
        most = std::max(most, sum);
    }
    QVERIFY(rows > 0 && rows <= train.size());
    QVERIFY(most > 0.5);
    QCOMPARE(parse_models_config(out.dump(), "emitted").meta_verifier.belief, t);
    // The N-model cascade's belief lives in its learned model, not in a per-bin table.
    const json cascade = routing_models_config(nullptr, *ds, train, "Cascade", 0.0, cfg);
    QVERIFY(!cascade["meta_verifier"].contains("belief"));
}

void ServeLabelsBeliefTest::labelledRequestsLoadAsScoredRows() {
    live_test::ForeignServer server;
    QTemporaryDir dir;
    const std::string path = dir.filePath("requests.jsonl").toStdString();
    const auto cfg = parse_models_config(
        config_json(server.base_url(), {{"method", "Threshold"}, {"params", 0.5}}).dump(), "labels.json");
    {
        ServeOptions options;
        options.request_log = std::make_shared<RequestLog>(path, cfg);
        options.run_all_fraction = 1.0;    // complete rows: what retraining needs
        options.labelled_val_share = 0.0;  // every labelled row a train row
        ChatRouter router(cfg, {"", ""}, load_prompt_templates("", ""), nullptr, options);
        QCOMPARE(router.handle(chat(question({{"automix", {{"gold", "Paris"}, {"dataset", "geo"}}}}))).status, 200);
        QCOMPARE(router.handle(chat(question({{"automix", {{"gold", "Lyon"}}}}))).status, 200);
        QCOMPARE(router.handle(chat(question())).status, 200);
        // Bad labels are the client's mistake, named by field.
        auto bad = router.handle(chat(question({{"automix", {{"gold", 3}}}})));
        QCOMPARE(bad.status, 400);
        QCOMPARE(json::parse(bad.body)["error"]["param"].get<std::string>(), std::string("automix.gold"));
        bad = router.handle(chat(question({{"automix", {{"label", "x"}}}})));
        QCOMPARE(json::parse(bad.body)["error"]["param"].get<std::string>(), std::string("automix.label"));
        bad = router.handle(chat(question({{"automix", {{"dataset", "a b"}}}})));
        QCOMPARE(bad.status, 400);
    }
    const auto ds = data::load_file(path).dataset;
    QCOMPARE(ds.size(), std::size_t{3});
    QCOMPARE(std::string(ds.dataset_name(0)), std::string("geo"));
    QCOMPARE(std::string(ds.dataset_name(2)), std::string("live"));
    QCOMPARE(ds.gold[0], std::string("Paris"));
    // The server answers "Paris": scored 1 against Paris, 0 against Lyon, unknown without a label.
    QCOMPARE(ds.models[0].score[0], 1.0);
    QCOMPARE(ds.models[1].score[0], 1.0);
    QCOMPARE(ds.models[0].score[1], 0.0);
    QVERIFY(std::isnan(ds.models[0].score[2]));
    QVERIFY(!ds.unmeasured[0] && !ds.unmeasured[1]);  // complete and labelled: usable for training
    QVERIFY(ds.unmeasured[2]);
    QVERIFY(ds.split[0] == data::Split::Train && ds.split[1] == data::Split::Train);
    QVERIFY(ds.split[2] == data::Split::Other);  // "served"
    const json extra = json::parse(ds.extra_json[0]);
    QVERIFY(extra["serve"]["labelled"].get<bool>());
    QVERIFY(!json::parse(ds.extra_json[2])["serve"]["labelled"].get<bool>());
    // With a val share, labelled rows split between train and val by request id.
    const std::string split_log = dir.filePath("split.jsonl").toStdString();
    {
        ServeOptions options;
        options.request_log = std::make_shared<RequestLog>(split_log, cfg);
        options.labelled_val_share = 0.5;
        ChatRouter router(cfg, {"", ""}, load_prompt_templates("", ""), nullptr, options);
        for (int i = 0; i < 40; ++i)
            QCOMPARE(router.handle(chat(question({{"automix", {{"gold", "Paris"}}}}))).status, 200);
    }
    const auto split = data::load_file(split_log).dataset;
    const auto val = split.rows(-1, data::Split::Val).size(), train = split.rows(-1, data::Split::Train).size();
    QCOMPARE(val + train, std::size_t{40});
    QVERIFY2(val >= 8 && train >= 8, (std::to_string(val) + " val").c_str());
}

// The N-model cascade: the emitted config holds its learned belief model (prior and, per
// verified step, P(bin | state)); a bad one is refused naming the field; a reply's belief is
// the prior updated with each step's bin.
void ServeLabelsBeliefTest::cascadeReplyCarriesItsBelief() {
    const auto ds = data::load_file(std::string(AUTOMIX_SOURCE_DIR "/resources/demo/demo-3model.jsonl.gz")).dataset;
    QCOMPARE(ds.models.size(), std::size_t{3});
    const data::View train = ds.measured(ds.rows(0, data::Split::Train));
    routing::Config cfg;
    cfg.num_bins = 8;
    cfg.call_costs.clear();
    for (const auto& m : ds.models) cfg.call_costs.push_back(m.call_cost);
    const auto method = routing::find_method("Cascade");
    const auto candidates = method->candidates(ds, train, cfg);
    QVERIFY(candidates.size() >= 2);
    json out = routing_models_config(nullptr, ds, train, "Cascade", candidates[candidates.size() / 2], cfg);
    const json t = out["meta_verifier"]["cascade_belief"];
    QVERIFY(t.is_object());
    QCOMPARE(t["states"].size(), std::size_t{8});
    QCOMPARE(t["steps"].size(), std::size_t{2});
    QCOMPARE(t["steps"][0]["bins"].size(), std::size_t{9});
    QCOMPARE(t["train_rows"].get<std::size_t>(), train.size());

    // Refused with the field named: a probability out of range, a prior that does not sum to 1,
    // a step missing.
    const auto problem = [&](const std::function<void(json&)>& spoil) {
        json bad = out;
        spoil(bad["meta_verifier"]["cascade_belief"]);
        try {
            parse_models_config(bad.dump(), "bad.json");
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    std::string why = problem([](json& b) { b["steps"][1]["bins"][3][2] = 1.5; });
    QVERIFY2(why.find("meta_verifier.cascade_belief: steps[1].bins[3]: expected 8 probabilities") != std::string::npos,
             why.c_str());
    why = problem([](json& b) { b["prior"][0] = b["prior"][0].get<double>() + 0.1; });
    QVERIFY2(why.find("meta_verifier.cascade_belief: prior: expected 8 probabilities") != std::string::npos,
             why.c_str());
    why = problem([](json& b) { b["steps"].erase(1); });
    QVERIFY2(why.find("meta_verifier.cascade_belief: steps: expected one per model but the last (2), got 1") !=
                 std::string::npos,
             why.c_str());

    // Served against a foreign server whose models all call their answers correct: the first
    // step sees confidence 1 (bin 8).
    live_test::ForeignOptions o;
    o.known = o.listed = {"m-small", "m-mid", "m-large"};
    live_test::ForeignServer server(o);
    for (std::size_t j = 0; j < 3; ++j) {
        out["models"][j]["base_url"] = server.base_url();
        out["models"][j]["model"] = o.known[j];
    }
    ChatRouter router(parse_models_config(out.dump(), "cascade.json"), {"", "", ""}, load_prompt_templates("", ""),
                      nullptr, {});
    const auto reply = router.handle(chat(question()));
    QVERIFY2(reply.status == 200, reply.body.c_str());
    const json a = json::parse(reply.body)["automix"];
    QVERIFY2(a["belief"].is_object(), a.dump().c_str());
    const json& step0 = a["steps"][0]["belief"];
    QCOMPARE(step0["bin"].get<int>(), 8);
    double z = 0;
    for (std::size_t s = 0; s < 8; ++s) z += t["prior"][s].get<double>() * t["steps"][0]["bins"][8][s].get<double>();
    double sum = 0;
    for (std::size_t s = 0; s < 8; ++s) {
        const double want = t["prior"][s].get<double>() * t["steps"][0]["bins"][8][s].get<double>() / z;
        const double got = step0["states"][t["states"][s].get<std::string>()].get<double>();
        QVERIFY2(std::abs(got - want) < 1e-12, (std::to_string(got) + " vs " + std::to_string(want)).c_str());
        sum += got;
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-9);
    // The reply's belief is that of the last decision made.
    int decided = 0;
    for (const auto& st : a["steps"]) decided += st.contains("reason") ? 1 : 0;
    QCOMPARE(a["belief"], a["steps"][decided - 1]["belief"]);
}

QTEST_GUILESS_MAIN(ServeLabelsBeliefTest)
#include "test_serve_labels_belief.moc"
