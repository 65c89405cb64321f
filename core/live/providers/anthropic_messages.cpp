// Anthropic's Messages API (POST /v1/messages), as a provider in one file: the key in
// `x-api-key`, an `anthropic-version` header, `max_tokens` required, no `n` (samples are asked
// one by one), `stop_sequences` instead of `stop`, the reply's text in content blocks, "max_tokens"
// as the cut-off reason and usage as input/output tokens. models.json: "api": "anthropic",
// "base_url": "https://api.anthropic.com/v1".
#include "core/live/provider.hpp"

namespace automix::live {

namespace {

using nlohmann::json;

class AnthropicMessages final : public Provider {
  public:
    std::string name() const override { return "anthropic"; }
    std::string description() const override { return "Anthropic messages (POST /messages)"; }
    std::string completion_path() const override { return "/messages"; }

    json request(const std::string& model_id, const std::string& prompt, const Sampling& s) const override {
        json j = {{"model", model_id},
                  {"max_tokens", s.max_tokens},
                  {"temperature", s.temperature},
                  {"messages", json::array({json{{"role", "user"}, {"content", prompt}}})}};
        if (!s.stop.empty()) j["stop_sequences"] = s.stop;
        return j;  // no seed in this API; n is never more than 1 (takes_n)
    }

    std::vector<std::string> auth_headers(const std::string& key, const std::string& key_header) const override {
        if (key.empty()) return {};
        return {(key_header.empty() ? std::string("x-api-key") : key_header) + ": " + key};
    }
    std::vector<std::string> fixed_headers() const override { return {"anthropic-version: 2023-06-01"}; }
    bool takes_n() const override { return false; }

    std::optional<ReplyParts> read_reply(const json& body, std::string* why) const override {
        if (!body.contains("content") || !body["content"].is_array()) {
            *why = "no `content` array";
            return std::nullopt;
        }
        ReplyChoice choice;
        std::string text;
        bool any_text = false;
        for (const auto& block : body["content"])
            if (block.is_object() && block.value("type", "") == "text" && block.contains("text") &&
                block["text"].is_string()) {
                text += block["text"].get<std::string>();
                any_text = true;
            }
        if (any_text) choice.text = text;  // only tool calls or thinking: no text, which the caller refuses
        if (body.contains("stop_reason") && body["stop_reason"].is_string()) {
            const std::string reason = body["stop_reason"].get<std::string>();
            choice.finish = reason == "max_tokens" ? "length" : reason;
        }
        ReplyParts out;
        out.choices.push_back(std::move(choice));
        if (body.contains("usage") && body["usage"].is_object()) {
            const auto& u = body["usage"];
            if (u.contains("input_tokens") && u["input_tokens"].is_number_integer() && u.contains("output_tokens") &&
                u["output_tokens"].is_number_integer())
                out.usage =
                    std::make_pair(u["input_tokens"].get<std::int64_t>(), u["output_tokens"].get<std::int64_t>());
        }
        return out;
    }
};

}  // namespace

AUTOMIX_REGISTER_PROVIDER(anthropic_messages, std::make_shared<AnthropicMessages>())

}  // namespace automix::live
