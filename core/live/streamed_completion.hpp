#pragma once
// A completion asked for with `stream: true`, read as it arrives: the server-sent events of an
// OpenAI-compatible server (chat chunks' `delta.content`, text completions' `text`), the text
// each piece adds, and the whole reply put back together in the non-streamed shape, so that it
// is checked, billed and cached like any other reply. Servers differ: usage may come in the
// last chunk or never, deltas may be empty, an event may arrive split across reads (inside a
// UTF-8 character too), `[DONE]` may be missing, an error may arrive as an event, and a server
// may ignore `stream` and answer with one JSON body.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace automix::live {

class StreamedCompletion {
  public:
    // chat: the chat completions format (else text completions).
    explicit StreamedCompletion(bool chat) : chat_(chat) {}
    // Feeds bytes as they arrive; returns the answer text the completed events add ("" if none).
    std::string feed(std::string_view bytes);
    // Ends the stream (a last event without its blank line counts); returns the text it adds.
    std::string finish() { return feed("\n\n"); }
    // Whether a data event has been read (the server has begun to answer).
    bool begun() const { return events_ > 0; }
    // The reply as the non-streamed format has it: {"choices": [{"index": 0, "message" or
    // "text", "finish_reason"}], "usage"}; {"error": ...} after an error event; `raw` itself
    // when it held no events (a server that ignored `stream`). `raw` is every byte fed.
    std::string assembled(const std::string& raw) const;

  private:
    void event(const std::string& data, std::string* text);
    bool chat_;
    std::string line_, data_;
    int events_ = 0;
    std::string text_, finish_;
    nlohmann::json usage_, error_;
};

// Reads a whole streamed body at once (what a retry or a validation sees).
std::string assemble_streamed_body(const std::string& raw, bool chat);

// The request body `body` (JSON text) with `stream: true` and usage asked for in the stream.
std::string streaming_request_body(const std::string& body);

}  // namespace automix::live
