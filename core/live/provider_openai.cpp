// The OpenAI wire formats, built into the provider registry: chat completions (llama.cpp's
// server, vLLM, Ollama's /v1, OpenAI, Azure OpenAI with "api_key_header": "api-key") and the
// older text completions.
#include "core/live/provider.hpp"

namespace automix::live {

using nlohmann::json;

namespace {

// Both formats share everything but where the text sits in a choice.
class OpenAiProvider : public Provider {
  public:
    std::optional<ReplyParts> read_reply(const json& body, std::string* why) const override {
        if (!body.contains("choices") || !body["choices"].is_array()) {
            *why = "no `choices` array";
            return std::nullopt;
        }
        const auto& choices = body["choices"];
        ReplyParts out;
        for (std::size_t i = 0; i < choices.size(); ++i) {
            const auto& c = choices[i];
            if (!c.is_object()) {
                *why = "choice is not an object";
                return std::nullopt;
            }
            ReplyChoice choice;
            choice.index = static_cast<std::int64_t>(i);
            if (c.contains("index") && c["index"].is_number_integer()) choice.index = c["index"].get<std::int64_t>();
            if (c.contains("finish_reason") && c["finish_reason"].is_string())
                choice.finish = c["finish_reason"].get<std::string>();
            if (const json* text = text_of(c)) choice.text = *text;
            out.choices.push_back(std::move(choice));
        }
        out.usage = usage_of(body);
        return out;
    }

  protected:
    virtual const json* text_of(const json& choice) const = 0;

  private:
    static std::optional<std::pair<std::int64_t, std::int64_t>> usage_of(const json& body) {
        if (!body.contains("usage") || !body["usage"].is_object()) return std::nullopt;
        const auto& u = body["usage"];
        std::int64_t pt = 0, ct = 0;
        bool any = false;
        if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_integer()) {
            pt = u["prompt_tokens"].get<std::int64_t>();
            any = true;
        }
        if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer()) {
            ct = u["completion_tokens"].get<std::int64_t>();
            any = true;
        }
        if (!any) return std::nullopt;
        return std::make_pair(pt, ct);
    }
};

json common_request(const std::string& model_id, const Sampling& s) {
    json j = {{"model", model_id}, {"temperature", s.temperature}, {"max_tokens", s.max_tokens}};
    if (s.n != 1) j["n"] = s.n;
    if (!s.stop.empty()) j["stop"] = s.stop;
    if (s.seed) j["seed"] = *s.seed;
    return j;
}

class ChatProvider final : public OpenAiProvider {
  public:
    std::string name() const override { return "chat"; }
    std::string description() const override { return "OpenAI chat completions (POST /chat/completions)"; }
    std::string completion_path() const override { return "/chat/completions"; }
    StreamFormat stream_format() const override { return StreamFormat::OpenAiChat; }
    json request(const std::string& model_id, const std::string& prompt, const Sampling& s) const override {
        json j = common_request(model_id, s);
        j["messages"] = json::array({json{{"role", "user"}, {"content", prompt}}});
        return j;
    }

  protected:
    const json* text_of(const json& c) const override {
        if (c.contains("message") && c["message"].is_object() && c["message"].contains("content"))
            return &c["message"]["content"];
        return nullptr;
    }
};

class CompletionsProvider final : public OpenAiProvider {
  public:
    std::string name() const override { return "completions"; }
    std::string description() const override { return "OpenAI text completions (POST /completions)"; }
    std::string completion_path() const override { return "/completions"; }
    StreamFormat stream_format() const override { return StreamFormat::OpenAiText; }
    json request(const std::string& model_id, const std::string& prompt, const Sampling& s) const override {
        json j = common_request(model_id, s);
        j["prompt"] = prompt;
        return j;
    }
    // A raw completion runs on into the next few-shot example without them.
    std::vector<std::string> stop_sequences(Purpose purpose) const override {
        return {purpose == Purpose::Answer ? "\n" : "\n\n"};
    }

  protected:
    const json* text_of(const json& c) const override { return c.contains("text") ? &c["text"] : nullptr; }
};

}  // namespace

const Provider& openai_chat_provider() {
    static const ChatProvider p;
    return p;
}

const Provider& openai_completions_provider() {
    static const CompletionsProvider p;
    return p;
}

}  // namespace automix::live
