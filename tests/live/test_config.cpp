// Models config validation and the prompt templates.
#include <QtTest>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/live/models_config.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/prompts.hpp"
#include "support_live.hpp"

using namespace automix::live;

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Problems reported for a config text ("" when it is valid).
std::string problems_of(const std::string& text) {
    try {
        parse_models_config(text, "m.json");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

const char* kModel0 = R"({"name":"s","base_url":"http://127.0.0.1:9/v1","model":"a","price_per_call":0})";
const char* kModel1 = R"({"name":"l","base_url":"http://127.0.0.1:9/v1","model":"b","price_per_call":1})";

std::string with_models(const std::string& m0, const std::string& m1, const std::string& rest = "") {
    return "{\"models\":[" + m0 + "," + m1 + "],\"meta_verifier\":{\"method\":\"Threshold\",\"params\":0.5}" + rest +
           "}";
}

}  // namespace

class ConfigTest : public QObject {
    Q_OBJECT
  private slots:
    void exampleConfigIsValid();
    void minimalConfigGetsDocumentedDefaults();
    void pricesPer1kTokens();
    void errorsNameTheField_data();
    void errorsNameTheField();
    void allProblemsAreReportedAtOnce();
    void apiKeysComeFromTheEnvironment();
    void unknownMetaVerifierIsAConfigError();
    void builtinPromptsEqualTheResourceFiles();
    void fewShotExamplesUseTheVerdictPhrases();
    void renderIsSinglePass();
    void templateChecks();
};

void ConfigTest::exampleConfigIsValid() {
    const auto cfg = load_models_config(std::string(AUTOMIX_SOURCE_DIR "/resources/config/models.example.json"));
    QCOMPARE(cfg.models.size(), std::size_t(2));
    QCOMPARE(cfg.models[0].name, std::string("small"));
    QCOMPARE(cfg.models[0].max_concurrency, 8);
    QCOMPARE(cfg.models[1].call_cost, 50.0);
    QVERIFY(cfg.models[1].price_per_call.has_value());
    QCOMPARE(cfg.verifier.k, 8);
    QCOMPARE(cfg.meta_verifier.method, std::string("Threshold"));
    QCOMPARE(cfg.meta_verifier.params.get<double>(), 0.375);
}

void ConfigTest::minimalConfigGetsDocumentedDefaults() {
    const auto cfg = parse_models_config(with_models(kModel0, kModel1), "m.json");
    QCOMPARE(cfg.models[0].call_cost, 1.0);
    QCOMPARE(cfg.models[1].call_cost, 50.0);
    QCOMPARE(cfg.models[0].api, std::string("chat"));
    QCOMPARE(cfg.models[0].money(1000, 1000), 0.0);
    QCOMPARE(cfg.models[1].money(5000, 5000), 1.0);
}

void ConfigTest::pricesPer1kTokens() {
    const auto cfg = parse_models_config(
        with_models(
            R"({"name":"s","base_url":"https://x/v1","model":"a","price_per_1k_input":0.5,"price_per_1k_output":2})",
            kModel1),
        "m");
    QCOMPARE(cfg.models[0].money(2000, 500), 2.0);
}

void ConfigTest::errorsNameTheField_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("invalid json") << "{\n  \"models\": [,]\n}"
                                  << "m.json:2:";
    QTest::newRow("no models") << R"({"meta_verifier":{"method":"Threshold","params":0.5}})"
                               << "models: required array";
    QTest::newRow("one model")
        << (std::string("{\"models\":[") + kModel0 + "],\"meta_verifier\":{\"method\":\"T\",\"params\":1}}").c_str()
        << "need at least 2 models";
    QTest::newRow("missing name") << QString::fromStdString(with_models(
                                         R"({"base_url":"http://h/v1","model":"a","price_per_call":0})", kModel1))
                                  << "models[0].name: required field is missing";
    QTest::newRow("bad url") << QString::fromStdString(with_models(
                                    R"({"name":"s","base_url":"ftp://h","model":"a","price_per_call":0})", kModel1))
                             << "models[0].base_url: must start with http:// or https://";
    QTest::newRow("typo")
        << QString::fromStdString(with_models(
               R"({"name":"s","base_url":"http://h","model":"a","price_per_call":0,"max_concurency":3})", kModel1))
        << "models[0].max_concurency: unknown field";
    QTest::newRow("two prices")
        << QString::fromStdString(with_models(
               R"({"name":"s","base_url":"http://h","model":"a","price_per_call":0,"price_per_1k_input":1,"price_per_1k_output":1})",
               kModel1))
        << "either per-1k-token prices or a per-call price";
    QTest::newRow("no price") << QString::fromStdString(
                                     with_models(R"({"name":"s","base_url":"http://h","model":"a"})", kModel1))
                              << "models[0].price_per_1k_input: a price is required";
    QTest::newRow("negative timeout")
        << QString::fromStdString(with_models(
               R"({"name":"s","base_url":"http://h","model":"a","price_per_call":0,"timeout_s":-1})", kModel1))
        << "models[0].timeout_s: value -1 is outside";
    QTest::newRow("string concurrency")
        << QString::fromStdString(with_models(
               R"({"name":"s","base_url":"http://h","model":"a","price_per_call":0,"max_concurrency":"8"})", kModel1))
        << "models[0].max_concurrency: expected an integer, got string";
    QTest::newRow("bad api") << QString::fromStdString(with_models(
                                    R"({"name":"s","base_url":"http://h","model":"a","price_per_call":0,"api":"soap"})",
                                    kModel1))
                             << "models[0].api: unknown provider \"soap\" (known: ";
    QTest::newRow("duplicate name") << QString::fromStdString(with_models(
                                           kModel0,
                                           R"({"name":"s","base_url":"http://h","model":"b","price_per_call":1})"))
                                    << "duplicate model name";
    QTest::newRow("k zero") << QString::fromStdString(with_models(kModel0, kModel1, R"(,"verifier":{"k":0})"))
                            << "verifier.k: value 0 is outside";
    QTest::newRow("no meta params") << QString::fromStdString(std::string("{\"models\":[") + kModel0 + "," + kModel1 +
                                                              "],\"meta_verifier\":{\"method\":\"Threshold\"}}")
                                    << "meta_verifier.params: required field is missing";
    QTest::newRow("order") << QString::fromStdString(with_models(
                                  R"({"name":"s","base_url":"http://h","model":"a","price_per_call":0,"call_cost":60})",
                                  kModel1))
                           << "ordered by cost";
}

void ConfigTest::errorsNameTheField() {
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const std::string p = problems_of(text.toStdString());
    QVERIFY2(p.find(expected.toStdString()) != std::string::npos, p.c_str());
}

void ConfigTest::allProblemsAreReportedAtOnce() {
    const std::string p = problems_of(with_models(R"({"name":"s","base_url":"ftp://h","model":"a"})",
                                                  R"({"name":"l","model":"b","price_per_call":1})"));
    QVERIFY(p.find("models[0].base_url") != std::string::npos);
    QVERIFY(p.find("models[0].price_per_1k_input") != std::string::npos);
    QVERIFY(p.find("models[1].base_url: required") != std::string::npos);
}

void ConfigTest::apiKeysComeFromTheEnvironment() {
    const auto cfg = parse_models_config(
        with_models(
            R"({"name":"s","base_url":"http://h","model":"a","price_per_call":0,"api_key_env":"AUTOMIX_TEST_KEY_A"})",
            kModel1),
        "m.json");
    ::unsetenv("AUTOMIX_TEST_KEY_A");
    bool threw = false;
    try {
        resolve_api_keys(cfg);
    } catch (const ConfigError& e) {
        threw = std::string(e.what()).find(
                    "models[0].api_key_env: environment variable AUTOMIX_TEST_KEY_A is not set") != std::string::npos;
    }
    QVERIFY(threw);
    ::setenv("AUTOMIX_TEST_KEY_A", "sk-from-env", 1);
    auto keys = resolve_api_keys(cfg);
    QCOMPARE(keys[0], std::string("sk-from-env"));
    QCOMPARE(keys[1], std::string(""));
    keys = resolve_api_keys(cfg, {{"s", "sk-typed"}});
    QCOMPARE(keys[0], std::string("sk-typed"));
    ::unsetenv("AUTOMIX_TEST_KEY_A");
}

void ConfigTest::unknownMetaVerifierIsAConfigError() {
    auto cfg = parse_models_config(with_models(kModel0, kModel1), "m.json");
    cfg.meta_verifier.method = "NoSuchMethod";
    bool threw = false;
    try {
        Pipeline p(cfg, {}, load_prompt_templates("", ""), nullptr);
    } catch (const ConfigError& e) {
        threw = std::string(e.what()).find("meta_verifier.method: unknown method \"NoSuchMethod\" (methods that run live: Threshold") !=
                std::string::npos;
    }
    QVERIFY(threw);
}

void ConfigTest::builtinPromptsEqualTheResourceFiles() {
    const std::string dir = std::string(AUTOMIX_SOURCE_DIR "/resources/prompts/");
    QCOMPARE(std::string(kBuiltinAnswerPrompt), read(dir + "answer.txt"));
    QCOMPARE(std::string(kBuiltinVerifyPrompt), read(dir + "verify.txt"));
    const auto t = load_prompt_templates(dir + "answer.txt", dir + "verify.txt");
    QCOMPARE(t.verify, std::string(kBuiltinVerifyPrompt));
}

void ConfigTest::fewShotExamplesUseTheVerdictPhrases() {
    const std::string v = kBuiltinVerifyPrompt;
    QVERIFY(v.find("So the AI generated answer is correct.") != std::string::npos);
    QVERIFY(v.find("So the AI generated answer is incorrect.") != std::string::npos);
    // The target query comes last, after every example.
    QVERIFY(v.rfind("{question}") > v.rfind("So the AI generated answer is"));
}

void ConfigTest::renderIsSinglePass() {
    PromptFields f;
    f.context = "ctx mentions {answer} literally";
    f.question = "Q?";
    f.answer = "A";
    f.options = {"red", "blue"};
    const std::string out = render_prompt("C={context}|Q={question}|A={answer}|{options}", f);
    QCOMPARE(out, std::string("C=ctx mentions {answer} literally|Q=Q?|A=A|Options:\n(A) red\n(B) blue\n"));
}

void ConfigTest::templateChecks() {
    bool threw = false;
    try {
        check_template("{context} {question} {answr}", {"question"}, "t.txt");
    } catch (const std::runtime_error& e) {
        threw = std::string(e.what()).find("unknown placeholder {answr}") != std::string::npos;
    }
    QVERIFY(threw);
    threw = false;
    try {
        check_template("{context} {question}", {"question", "answer"}, "v.txt");
    } catch (const std::runtime_error& e) {
        threw = std::string(e.what()).find("must contain {answer}") != std::string::npos;
    }
    QVERIFY(threw);
}

QTEST_GUILESS_MAIN(ConfigTest)
#include "test_config.moc"
