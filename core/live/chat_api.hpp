#pragma once
// The client side of `automix serve`: OpenAI chat-completion requests as clients send them,
// OpenAI-style error objects, and the reply shapes (one completion, or SSE chunks when the
// client asked for `stream: true`). Pure functions; the routing lives in chat_router.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/live/http_server.hpp"

namespace automix::live {

// What AutoMix needs from a chat: the last user message is the question; system/developer
// messages and earlier turns are the context the models read it against.
struct ChatRequest {
    std::string model;
    std::string context;
    std::string question;
    bool stream = false;
    bool include_usage_in_stream = false;  // stream_options.include_usage
    // The request's own `automix` object (an extension; OpenAI clients send it as extra body):
    // the gold answer, which the request log keeps so the row loads scored, and the dataset
    // name the row is filed under ("live" when none).
    std::string gold;
    std::string dataset;
};

// A request the server refuses, as OpenAI words it.
struct ApiError {
    int status = 400;
    std::string message;
    std::string type = "invalid_request_error";
    std::string param;  // "" = null
    std::string code;   // "" = null
};

// {"error": {"message", "type", "param", "code"}} with the status.
HttpReply error_reply(const ApiError& e);

// Parses and checks a /v1/chat/completions body; nullopt with *error on anything a client got
// wrong (invalid JSON, no messages, a last message that is not the user's, n > 1, ...).
std::optional<ChatRequest> parse_chat_request(const std::string& body, ApiError* error);

// A chat completion object holding `content` as the assistant's message.
nlohmann::json completion_object(const std::string& id, long long created, const std::string& model,
                                 const std::string& content, const nlohmann::json& usage,
                                 const nlohmann::json& automix);
// The pieces of a streamed reply, each one server-sent event ("data: {...}\n\n"): the first
// chunk (the assistant's role), one piece of content, and the end (a chunk with finish_reason
// and `automix`, one with `usage` when the client asked, then `data: [DONE]`).
std::string stream_role_event(const std::string& id, long long created, const std::string& model);
std::string stream_content_event(const std::string& id, long long created, const std::string& model,
                                 const std::string& text);
std::string stream_end_events(const std::string& id, long long created, const std::string& model,
                              const nlohmann::json& usage, const nlohmann::json& automix, bool include_usage);
// How a stream that has begun ends when the route fails: an error event (OpenAI's shape, with
// `automix`), then `data: [DONE]`.
std::string stream_error_events(const ApiError& e, const nlohmann::json& automix);
// The same answer as server-sent events: a role chunk, the content in pieces, a final chunk
// with finish_reason (and `automix`, and `usage` when asked), then `data: [DONE]`.
std::string completion_stream(const std::string& id, long long created, const std::string& model,
                              const std::string& content, const nlohmann::json& usage, const nlohmann::json& automix,
                              bool include_usage);

}  // namespace automix::live
