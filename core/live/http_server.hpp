#pragma once
// A deliberately small HTTP/1.1 server for loopback use only (the replay server and test
// fakes): binds 127.0.0.1, one thread per connection, keep-alive, Content-Length bodies.
// Replies can ask for a delay or for the connection to be cut mid-body, which is how
// faults are injected.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace automix::live {

struct HttpRequest {
    std::string method;
    std::string path;                            // without the query string
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
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

class HttpServer {
  public:
    using Handler = std::function<HttpReply(const HttpRequest&)>;
    explicit HttpServer(Handler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds 127.0.0.1:port (0 = any free port) and starts serving. Returns the bound port.
    // Throws std::runtime_error when the port cannot be bound.
    int start(int port);
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

    Handler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> running_{false};
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace automix::live
