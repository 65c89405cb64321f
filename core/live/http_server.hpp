#pragma once
// A deliberately small HTTP/1.1 server, shared by the replay server, `automix serve` and the
// test fakes: binds 127.0.0.1 unless told otherwise, one thread per connection, keep-alive,
// Content-Length bodies. Replies can ask for a delay or for the connection to be cut
// mid-body, which is how faults are injected. drain() lets requests in flight finish.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace automix::live {

struct HttpReply;

// The body of a reply sent while it is produced (chunked transfer encoding), for server-sent
// events: valid during the handler call that opened it.
class ReplyStream {
  public:
    virtual ~ReplyStream() = default;
    // Sends one piece now; false once the client is gone (later pieces are dropped).
    virtual bool write(std::string_view piece) = 0;
    // Closes the connection without the final chunk: the client sees the stream cut off.
    virtual void abort() = 0;
};

struct HttpRequest {
    std::string method;
    std::string path;                            // without the query string
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    // Set by the server (null when a handler is called without sockets): sends `head`'s status,
    // content type and headers at once (its body is ignored) and returns the stream for the
    // body. The reply the handler then returns is sent as the last piece; its status and
    // headers are ignored.
    std::function<ReplyStream*(const HttpReply& head)> open_stream;
    std::string header(const std::string& lower_name) const;
};

struct HttpReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    int delay_ms = 0;           // wait this long before answering (interrupted by stop())
    bool cut_mid_body = false;  // send the headers and half the body, then close
};

struct HttpServerOptions {
    std::string host = "127.0.0.1";  // address to bind; loopback by default
    std::size_t max_body_bytes = 256u * 1024 * 1024;
    // Open connections (each has a thread) beyond which a new one gets a 503 and is closed;
    // 0 = no limit.
    std::size_t max_connections = 0;
    // The reply to a request the server refuses itself (413, 400, 411, a handler that threw):
    // null = a text/plain body with the message.
    std::function<HttpReply(int status, const std::string& message)> error_reply;
};

class HttpServer {
  public:
    using Handler = std::function<HttpReply(const HttpRequest&)>;
    explicit HttpServer(Handler handler, HttpServerOptions options = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds host:port (0 = any free port) and starts serving. Returns the bound port.
    // Throws std::runtime_error when the address cannot be bound.
    int start(int port);
    // Stops accepting and reading new requests; requests being handled finish and get their
    // reply (with Connection: close). Waits up to timeout_s for them, then stop(). Returns
    // true when every request in flight finished in time.
    bool drain(double timeout_s);
    // Stops accepting, closes every connection, joins all threads. Idempotent.
    void stop();
    int port() const { return port_; }
    bool running() const { return running_; }

  private:
    struct Connection {
        int fd = -1;
        std::thread thread;
        std::atomic<bool> done{false};
    };
    void accept_loop();
    void serve(Connection* c);
    void reap_finished();
    // Sleeps up to ms; returns false when the server is stopping.
    bool pause(int ms);
    HttpReply error_reply(int status, const std::string& message) const;

    Handler handler_;
    HttpServerOptions options_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> running_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> draining_{false};
    std::thread acceptor_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace automix::live
