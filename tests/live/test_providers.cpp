// The provider registry and the two OpenAI providers: what each puts on the wire (URL, body,
// key header, stop sequences) and how the shared reply checks treat servers that differ.
#include <QtTest>

#include <algorithm>

#include "core/live/models_config.hpp"
#include "core/live/provider.hpp"

using namespace automix::live;
using nlohmann::json;

namespace {

bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

ModelsConfig config_with(const json& small_extra) {
    json small = {{"name", "small"}, {"base_url", "https://example.test/v1/"}, {"model", "s"}, {"price_per_call", 0}};
    for (auto it = small_extra.begin(); it != small_extra.end(); ++it) small[it.key()] = it.value();
    const json cfg = {
        {"models", {small, {{"name", "large"}, {"base_url", "http://x/v1"}, {"model", "l"}, {"price_per_call", 0}}}},
        {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}}};
    return parse_models_config(cfg.dump(), "providers.json");
}

}  // namespace

class ProvidersTest : public QObject {
    Q_OBJECT
  private slots:
    void registryHoldsTheOpenAiProvidersAndRefusesUnknownNames();
    void requestsDifferOnlyWhereTheWireFormatsDo();
    void keyHeaderIsBearerByDefaultAndConfigurableForAzure();
    void repliesOfServersThatDifferAreReadOneWay();
};

void ProvidersTest::registryHoldsTheOpenAiProvidersAndRefusesUnknownNames() {
    const auto names = provider_names();
    QVERIFY(has(names, "chat"));
    QVERIFY(has(names, "completions"));
    QVERIFY(std::is_sorted(names.begin(), names.end()));
    QCOMPARE(&provider_for("chat"), &openai_chat_provider());
    QCOMPARE(find_provider("soap"), static_cast<const Provider*>(nullptr));
    try {
        provider_for("soap");
        QFAIL("accepted an unknown provider");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("unknown api \"soap\" (known: ") == 0, e.what());
    }
    // A second provider with a taken name is a programming error, reported at once.
    class Twin final : public Provider {
      public:
        std::string name() const override { return "chat"; }
        std::string description() const override { return "twin"; }
        std::string completion_path() const override { return "/x"; }
        json request(const std::string&, const std::string&, const Sampling&) const override { return {}; }
        std::optional<ReplyParts> read_reply(const json&, std::string*) const override { return std::nullopt; }
    };
    QVERIFY_THROWS_EXCEPTION(std::logic_error, register_provider(std::make_shared<Twin>()));
    QCOMPARE(&provider_for("chat"), &openai_chat_provider());
}

void ProvidersTest::requestsDifferOnlyWhereTheWireFormatsDo() {
    const Provider& chat = openai_chat_provider();
    const Provider& text = openai_completions_provider();
    QCOMPARE(completion_url(chat, "http://h:1/v1//"), std::string("http://h:1/v1/chat/completions"));
    QCOMPARE(completion_url(text, "http://h:1/v1", "api-version=1"),
             std::string("http://h:1/v1/completions?api-version=1"));
    QCOMPARE(models_url(chat, "http://h:1/v1/", "a=b"), std::string("http://h:1/v1/models?a=b"));
    Sampling s;
    s.n = 3;
    s.seed = 7;
    s.stop = chat.stop_sequences(Purpose::Verify);
    const json c = json::parse(request_body(chat, "m", "Q?", s, R"({"max_tokens": null, "top_p": 0.5})"));
    QCOMPARE(c["messages"][0]["content"].get<std::string>(), std::string("Q?"));
    QCOMPARE(c["n"].get<int>(), 3);
    QCOMPARE(c["seed"].get<int>(), 7);
    QVERIFY(!c.contains("max_tokens"));  // removed by the extra body's null
    QCOMPARE(c["top_p"].get<double>(), 0.5);
    QVERIFY(!c.contains("stop"));  // chat models stop by themselves
    s.stop = text.stop_sequences(Purpose::Answer);
    const json t = json::parse(request_body(text, "m", "Q?", s));
    QCOMPARE(t["prompt"].get<std::string>(), std::string("Q?"));
    QVERIFY(!t.contains("messages"));
    QCOMPARE(t["stop"], json::array({"\n"}));
    QCOMPARE(text.stop_sequences(Purpose::Verify), std::vector<std::string>{"\n\n"});
    QVERIFY(chat.takes_n() && text.takes_n());
}

void ProvidersTest::keyHeaderIsBearerByDefaultAndConfigurableForAzure() {
    const auto plain = config_with(json::object()).models[0];
    auto call = plain.call("sk-1", 0);
    QVERIFY(has(call.headers, "Authorization: Bearer sk-1"));
    QCOMPARE(call.api_key, std::string("sk-1"));  // kept for scrubbing error texts
    QVERIFY(plain.call("", 0).headers.empty());   // no key, no auth header
    // Azure OpenAI is the chat provider configured: api-key header, api-version query, a deployment URL.
    const auto azure = config_with({{"api_key_header", "api-key"},
                                    {"url_query", "api-version=2024-06-01"},
                                    {"base_url", "https://my-resource.openai.azure.com/openai/deployments/gpt-4o-mini"},
                                    {"headers", {{"X-Tenant", "lab"}}}})
                           .models[0];
    QCOMPARE(azure.api, std::string("chat"));
    call = azure.call("az-1", 2);
    QCOMPARE(call.endpoint, 2);
    QVERIFY(has(call.headers, "api-key: az-1"));
    QVERIFY(has(call.headers, "X-Tenant: lab"));
    QVERIFY(std::none_of(call.headers.begin(), call.headers.end(),
                         [](const std::string& h) { return h.rfind("Authorization", 0) == 0; }));
    QCOMPARE(completion_url(azure.provider(), azure.base_url, azure.url_query),
             std::string("https://my-resource.openai.azure.com/openai/deployments/gpt-4o-mini/chat/"
                         "completions?api-version=2024-06-01"));
    try {
        config_with({{"api", "soap"}});
        QFAIL("accepted an unknown api");
    } catch (const ConfigError& e) {
        QVERIFY2(std::string(e.what()).find("models[0].api: unknown provider \"soap\"") != std::string::npos, e.what());
    }
}

void ProvidersTest::repliesOfServersThatDifferAreReadOneWay() {
    const Provider& chat = openai_chat_provider();
    const Provider& text = openai_completions_provider();
    ParseOptions o;
    o.max_choices = 3;
    ParseProblem why("");
    // Choices out of order, one fewer than asked (the server ignores n), no usage.
    auto c = parse_completion(
        chat, R"({"choices":[{"index":1,"message":{"content":"b"}},{"index":0,"message":{"content":"a"}}]})", o, &why);
    QVERIFY(c.has_value());
    QCOMPARE(c->texts, (std::vector<std::string>{"a", "b"}));
    QVERIFY(!c->has_usage);
    // An echoed prompt is cut off; usage read; negative counts are no usage.
    o.max_choices = 1;
    o.prompt = "Q: x\nA:";
    c = parse_completion(
        text, R"({"choices":[{"text":"Q: x\nA: y"}],"usage":{"prompt_tokens":4,"completion_tokens":1}})", o, &why);
    QVERIFY(c.has_value());
    QCOMPARE(c->texts[0], std::string(" y"));
    QVERIFY(c->has_usage);
    QCOMPARE(c->prompt_tokens, std::int64_t(4));
    c = parse_completion(text, R"({"choices":[{"text":"y"}],"usage":{"prompt_tokens":-4,"completion_tokens":1}})", o,
                         &why);
    QVERIFY(c.has_value() && !c->has_usage);
    QCOMPARE(parse_usage(chat, R"({"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":5}})")->second,
             std::int64_t(5));
    // A chat body read as a text completion has no text; 200 with an error body says so.
    QVERIFY(!parse_completion(text, R"({"choices":[{"message":{"content":"a"}}]})", o, &why));
    QVERIFY2(why.message.find("has no content") != std::string::npos && !why.retryable, why.message.c_str());
    QVERIFY(!parse_completion(chat, R"({"error":{"message":"overloaded","type":"server_error"}})", o, &why));
    QCOMPARE(why.message, std::string("the server answered 200 with an error: overloaded (server_error)"));
    QVERIFY(!parse_completion(chat, R"({"choices":[{"message":{"content":"a"},"finish_reason":"length"}]})", o, &why));
    QVERIFY2(why.message.find("cut at max_tokens") != std::string::npos, why.message.c_str());
}

QTEST_GUILESS_MAIN(ProvidersTest)
#include "test_providers.moc"
