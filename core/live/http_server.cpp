#include "core/live/http_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace automix::live {

namespace {

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

bool send_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// After refusing a request whose body is still arriving: stop sending, then read and drop
// what the client still sends (bounded), so it reads the refusal instead of a reset
// connection (closing a socket with unread data sends RST, which can discard the reply).
void linger_close(int fd) {
    ::shutdown(fd, SHUT_WR);
    char sink[16384];
    std::size_t dropped = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (dropped < (64u << 20) && std::chrono::steady_clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) break;
        const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
        if (n <= 0) break;
        dropped += static_cast<std::size_t>(n);
    }
}

const char* reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

// A reply body sent as chunks as the handler produces it.
struct ChunkedStream final : ReplyStream {
    explicit ChunkedStream(int socket) : fd(socket) {}
    bool write(std::string_view piece) override {
        if (!ok || aborted) return false;
        if (piece.empty()) return true;  // an empty chunk would end the body
        char size[24];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        std::string out = size;
        out.append(piece);
        out += "\r\n";
        ok = send_all(fd, out.data(), out.size());
        return ok;
    }
    void abort() override {
        aborted = true;
        ::shutdown(fd, SHUT_RDWR);
    }
    int fd;
    bool opened = false, ok = true, aborted = false, keep_alive = true;
};

}  // namespace

std::string HttpRequest::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

HttpServer::HttpServer(Handler handler, HttpServerOptions options)
    : handler_(std::move(handler)), options_(std::move(options)) {}

HttpReply HttpServer::error_reply(int status, const std::string& message) const {
    if (options_.error_reply) return options_.error_reply(status, message);
    HttpReply r;
    r.status = status;
    if (status == 500) {  // a handler that threw: JSON, as the OpenAI-style callers expect
        r.body = nlohmann::json{{"error", {{"message", message}}}}.dump(-1, ' ', false,
                                                                           nlohmann::json::error_handler_t::replace);
    } else {
        r.content_type = "text/plain";
        r.body = message;
    }
    return r;
}

HttpServer::~HttpServer() {
    stop();
}

int HttpServer::start(int port) {
    if (running_) return port_;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string where = options_.host + ":" + std::to_string(port);
    if (const int rc = ::getaddrinfo(options_.host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("cannot listen on " + where + ": " + ::gai_strerror(rc));
    std::string why = "no address";
    for (addrinfo* a = found; a && listen_fd_ < 0; a = a->ai_next) {
        listen_fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (listen_fd_ < 0) {
            why = std::strerror(errno);
            continue;
        }
        const int one = 1;
        ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(listen_fd_, a->ai_addr, a->ai_addrlen) != 0 || ::listen(listen_fd_, 512) != 0) {
            why = std::strerror(errno);
            ::close(listen_fd_);
            listen_fd_ = -1;
        }
    }
    ::freeaddrinfo(found);
    if (listen_fd_ < 0) throw std::runtime_error("cannot listen on " + where + ": " + why);
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    stopping_ = false;
    draining_ = false;
    running_ = true;
    acceptor_ = std::thread([this] { accept_loop(); });
    return port_;
}

bool HttpServer::drain(double timeout_s) {
    if (!running_) return true;
    {
        // No new connections, and no new requests on open ones: a connection waiting for its
        // next request sees end-of-stream; one handling a request still sends its reply.
        std::lock_guard lock(mutex_);
        draining_ = true;
        for (auto& c : connections_) ::shutdown(c->fd, SHUT_RD);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    bool finished = false;
    while (!finished && std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(mutex_);
            finished = std::all_of(connections_.begin(), connections_.end(),
                                   [](const auto& c) { return c->done.load(); });
        }
        if (!finished) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop();
    return finished;
}

void HttpServer::stop() {
    if (!running_) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        for (auto& c : connections_) ::shutdown(c->fd, SHUT_RDWR);
    }
    wake_.notify_all();
    if (acceptor_.joinable()) acceptor_.join();
    std::list<std::unique_ptr<Connection>> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(connections_);
    }
    for (auto& c : all) {
        if (c->thread.joinable()) c->thread.join();
        ::close(c->fd);
    }
    ::close(listen_fd_);
    listen_fd_ = -1;
    running_ = false;
}

bool HttpServer::pause(int ms) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_.load(); });
}

void HttpServer::reap_finished() {
    std::list<std::unique_ptr<Connection>> finished;
    {
        std::lock_guard lock(mutex_);
        for (auto it = connections_.begin(); it != connections_.end();) {
            if ((*it)->done) {
                finished.push_back(std::move(*it));
                it = connections_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& c : finished) {
        c->thread.join();
        ::close(c->fd);
    }
}

void HttpServer::accept_loop() {
    while (!stopping_ && !draining_) {
        pollfd p{listen_fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, 100);
        reap_finished();
        if (r <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (options_.max_connections > 0) {
            std::size_t open = 0;
            {
                std::lock_guard lock(mutex_);
                open = connections_.size();
            }
            if (open >= options_.max_connections) {
                const HttpReply rep = error_reply(503, "too many open connections (" + std::to_string(open) +
                                                           "); retry later");
                const std::string out = "HTTP/1.1 503 " + std::string(reason(503)) + "\r\nContent-Type: " +
                                        rep.content_type + "\r\nContent-Length: " + std::to_string(rep.body.size()) +
                                        "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + rep.body;
                // On the accepting thread, so bounded to ~0.1 s: read what the client already
                // sent (closing on unread data would reset the reply away), answer, close.
                auto drop_input = [fd] {
                    char sink[16384];
                    pollfd q{fd, POLLIN, 0};
                    if (::poll(&q, 1, 50) > 0)
                        for (int i = 0; i < 4 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
                        }
                };
                drop_input();
                send_all(fd, out.data(), out.size());
                ::shutdown(fd, SHUT_WR);
                drop_input();
                ::close(fd);
                continue;
            }
        }
        auto conn = std::make_unique<Connection>();
        conn->fd = fd;
        Connection* raw = conn.get();
        std::lock_guard lock(mutex_);
        if (stopping_ || draining_) {
            ::close(fd);
            break;
        }
        connections_.push_back(std::move(conn));
        raw->thread = std::thread([this, raw] { serve(raw); });
    }
}

void HttpServer::serve(Connection* c) {
    std::string buffer;
    char chunk[16384];
    auto fill = [&]() -> bool {
        const ssize_t n = ::recv(c->fd, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<std::size_t>(n));
        return true;
    };
    // Returns false when the connection is to be closed after this reply.
    auto send_reply = [&](const HttpReply& rep, bool keep_alive) -> bool {
        keep_alive = keep_alive && !rep.cut_mid_body && !draining_;
        std::string out = "HTTP/1.1 " + std::to_string(rep.status) + " " + reason(rep.status) +
                          "\r\nContent-Type: " + rep.content_type +
                          "\r\nContent-Length: " + std::to_string(rep.body.size()) + "\r\n";
        for (const auto& [k, v] : rep.headers) out += k + ": " + v + "\r\n";
        out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
        if (rep.cut_mid_body) {
            out += rep.body.substr(0, rep.body.size() / 2);
            send_all(c->fd, out.data(), out.size());
            return false;
        }
        out += rep.body;
        return send_all(c->fd, out.data(), out.size()) && keep_alive;
    };
    auto refuse = [&](int status, const std::string& text) {
        send_reply(error_reply(status, text), false);
        linger_close(c->fd);
    };
    while (!stopping_) {
        std::size_t header_end;
        while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
            if (buffer.size() > kMaxHeaderBytes) {
                refuse(413, "headers too large");
                c->done = true;
                return;
            }
            if (!fill()) {
                c->done = true;
                return;
            }
        }
        HttpRequest req;
        const std::string head = buffer.substr(0, header_end);
        buffer.erase(0, header_end + 4);
        std::size_t line_end = head.find("\r\n");
        const std::string request_line = head.substr(0, line_end);
        {
            const auto s1 = request_line.find(' ');
            const auto s2 = request_line.find(' ', s1 == std::string::npos ? s1 : s1 + 1);
            if (s1 == std::string::npos || s2 == std::string::npos) {
                refuse(400, "malformed request line");
                break;
            }
            req.method = request_line.substr(0, s1);
            req.path = request_line.substr(s1 + 1, s2 - s1 - 1);
            if (auto q = req.path.find('?'); q != std::string::npos) req.path.resize(q);
        }
        while (line_end != std::string::npos) {
            const std::size_t start = line_end + 2;
            line_end = head.find("\r\n", start);
            const std::string line =
                head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
            const auto colon = line.find(':');
            if (colon != std::string::npos)
                req.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
        }
        if (!req.header("transfer-encoding").empty()) {
            refuse(411, "chunked bodies are not supported; send Content-Length");
            break;
        }
        std::size_t length = 0;
        if (const std::string cl = req.header("content-length"); !cl.empty()) {
            try {
                length = std::stoull(cl);
            } catch (const std::exception&) {
                refuse(400, "bad Content-Length");
                break;
            }
        }
        if (length > options_.max_body_bytes) {
            refuse(413, "request body of " + std::to_string(length) + " bytes is larger than the limit of " +
                            std::to_string(options_.max_body_bytes) + " bytes");
            break;
        }
        if (lower(req.header("expect")) == "100-continue") {
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            send_all(c->fd, cont, sizeof cont - 1);
        }
        bool closed = false;
        while (buffer.size() < length)
            if (!fill()) {
                closed = true;
                break;
            }
        if (closed) break;
        req.body = buffer.substr(0, length);
        buffer.erase(0, length);

        const bool client_keep_alive = lower(req.header("connection")) != "close";
        ChunkedStream stream(c->fd);
        req.open_stream = [&](const HttpReply& head) -> ReplyStream* {
            if (stream.opened) return &stream;
            stream.opened = true;
            stream.keep_alive = client_keep_alive && !draining_;
            std::string out = "HTTP/1.1 " + std::to_string(head.status) + " " + reason(head.status) +
                              "\r\nContent-Type: " + head.content_type + "\r\nTransfer-Encoding: chunked\r\n";
            for (const auto& [k, v] : head.headers) out += k + ": " + v + "\r\n";
            out += stream.keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
            stream.ok = send_all(c->fd, out.data(), out.size());
            return &stream;
        };
        HttpReply rep;
        bool threw = false;
        try {
            rep = handler_(req);
        } catch (const std::exception& e) {
            threw = true;
            rep = error_reply(500, std::string("server error: ") + e.what());
        }
        if (stream.opened) {
            // The rest of the body, then the final chunk. A handler that threw mid-stream has no
            // well-formed rest: the connection closes without the final chunk (a cut stream).
            if (threw || stream.aborted || !stream.ok) break;
            stream.write(rep.body);
            static const char last[] = "0\r\n\r\n";
            if (!send_all(c->fd, last, sizeof last - 1) || !stream.keep_alive || draining_) break;
            continue;
        }
        if (rep.delay_ms > 0 && !pause(rep.delay_ms)) break;
        const bool keep = send_reply(rep, client_keep_alive);
        if (!keep) break;
    }
    ::shutdown(c->fd, SHUT_RDWR);
    c->done = true;
}

}  // namespace automix::live
