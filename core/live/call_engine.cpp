#include "core/live/call_engine.hpp"
#include "core/data/json_parse.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace automix::live {

namespace {

using Clock = std::chrono::steady_clock;

void global_curl_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The statuses the OpenAI SDKs retry: timeout, conflict (lock), rate limit, server errors.
bool retryable_status(long s) {
    return s == 408 || s == 409 || s == 429 || s >= 500;
}

bool retryable_transport(CURLcode c) {
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_COULDNT_RESOLVE_HOST: return true;
    default: return false;
    }
}

// Failures that say the endpoint cannot be reached at all (the breaker counts these).
bool connection_failure(CURLcode c) {
    return c == CURLE_COULDNT_CONNECT || c == CURLE_COULDNT_RESOLVE_HOST || c == CURLE_COULDNT_RESOLVE_PROXY ||
           c == CURLE_SSL_CONNECT_ERROR || c == CURLE_PEER_FAILED_VERIFICATION;
}

// "HTTP 401 (application/json): Incorrect API key (invalid_api_key)" or, for a body that is
// no JSON error, its content type, size and a snippet.
std::string http_error_text(long status, const std::string& content_type, const std::string& body) {
    std::string out = "HTTP " + std::to_string(status);
    const std::string ct = content_type.empty() ? "no content type" : content_type;
    const std::string msg = error_body_message(body);
    if (!msg.empty()) return out + " (" + ct + "): " + body_snippet(msg, 300);
    return out + " (" + ct + ", " + std::to_string(body.size()) +
           " bytes): " + (body.empty() ? std::string("empty body") : body_snippet(body));
}

std::string scrub(std::string text, const std::string& secret) {
    if (secret.empty()) return text;
    for (std::size_t p; (p = text.find(secret)) != std::string::npos;) text.replace(p, secret.size(), "***");
    return text;
}

// Retry-After: delta-seconds or an HTTP date; negative when absent or unreadable.
double parse_retry_after(const std::string& v) {
    if (v.empty()) return -1;
    try {
        std::size_t used = 0;
        const double s = std::stod(v, &used);
        if (used == v.size() && s >= 0) return s;
    } catch (const std::exception&) {
    }
    const time_t when = curl_getdate(v.c_str(), nullptr);
    if (when < 0) return -1;
    return std::max(0.0, std::difftime(when, std::time(nullptr)));
}

}  // namespace

struct CallEngine::Impl {
    struct Pending {
        HttpCall call;
        int attempts = 0;
        Clock::time_point first_start{};
        Clock::time_point not_before{};
        std::string response;
        std::map<std::string, std::string> reply_headers;  // lower-case names
        bool too_large = false;
        bool streamed = false;  // a piece of this attempt's body went to call.on_data
        std::string last_error;
        long last_status = 0;
        curl_slist* headers = nullptr;
        CURL* easy = nullptr;
        char curl_error[CURL_ERROR_SIZE] = {};  // curl's detailed reason ("Could not resolve host: x")
    };
    struct Endpoint {
        int max_concurrency = 1;
        int active = 0;
        std::deque<std::unique_ptr<Pending>> queue;
    };

    RetryPolicy policy;
    std::mt19937_64 rng;
    CURLM* multi = nullptr;
    std::deque<Endpoint> endpoints;                 // deque: elements never move
    std::vector<std::unique_ptr<Pending>> delayed;  // waiting for their backoff to pass
    std::map<CURL*, std::unique_ptr<Pending>> active;
    std::vector<CURL*> spare_handles;
    EngineStats* stats = nullptr;
    std::function<void(const CallEvent&)>* on_event = nullptr;
    std::string stopped;  // set when the breaker tripped
    std::string last_failure;
    int same_failures = 0, connection_failures = 0;

    static std::string ca_file_for(const HttpCall& c) {
        if (!c.ca_file.empty()) return c.ca_file;
        for (const char* var : {"SSL_CERT_FILE", "CURL_CA_BUNDLE"})
            if (const char* v = std::getenv(var); v && *v) return v;
        return {};
    }

    static size_t on_body(char* p, size_t size, size_t n, void* user) {
        auto* pending = static_cast<Pending*>(user);
        if (pending->response.size() + size * n > pending->call.max_response_bytes) {
            pending->too_large = true;
            return 0;  // makes curl stop reading (CURLE_WRITE_ERROR)
        }
        pending->response.append(p, size * n);
        if (pending->call.on_data) {
            long status = 0;
            curl_easy_getinfo(pending->easy, CURLINFO_RESPONSE_CODE, &status);
            if (status >= 200 && status < 300) {
                pending->streamed = true;
                pending->call.on_data(std::string_view(p, size * n));
            }
        }
        return size * n;
    }
    static size_t on_header(char* p, size_t size, size_t n, void* user) {
        auto* pending = static_cast<Pending*>(user);
        const std::string line(p, size * n);
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            // A status line starts a new response (after a redirect or a 100): forget the old headers.
            if (line.rfind("HTTP/", 0) == 0) pending->reply_headers.clear();
            return size * n;
        }
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string v = line.substr(colon + 1);
        const auto b = v.find_first_not_of(" \t");
        const auto e = v.find_last_not_of(" \t\r\n");
        pending->reply_headers[name] = b == std::string::npos ? "" : v.substr(b, e - b + 1);
        return size * n;
    }
    static std::string header(const Pending& p, const char* name) {
        auto it = p.reply_headers.find(name);
        return it == p.reply_headers.end() ? std::string() : it->second;
    }

    void emit(const Pending& p, long status, std::string what) {
        if (on_event && *on_event)
            (*on_event)(CallEvent{p.call.label, p.attempts, status, scrub(std::move(what), p.call.api_key)});
    }

    void start(std::unique_ptr<Pending> p) {
        CURL* e;
        if (!spare_handles.empty()) {
            e = spare_handles.back();
            spare_handles.pop_back();
            curl_easy_reset(e);
        } else {
            e = curl_easy_init();
            if (!e) throw std::runtime_error("curl_easy_init failed");
        }
        if (p->attempts == 0) p->first_start = Clock::now();
        ++p->attempts;
        ++stats->attempts;
        p->response.clear();
        p->reply_headers.clear();
        p->too_large = false;
        p->streamed = false;
        if (!p->headers) {
            if (!p->call.get) p->headers = curl_slist_append(p->headers, "Content-Type: application/json");
            // Without this, curl waits for "100 Continue" on bodies over 1 KB.
            p->headers = curl_slist_append(p->headers, "Expect:");
            for (const auto& h : p->call.headers) p->headers = curl_slist_append(p->headers, h.c_str());
        }
        p->curl_error[0] = '\0';
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->curl_error);
        curl_easy_setopt(e, CURLOPT_URL, p->call.url.c_str());
        if (p->call.get) {
            curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        } else {
            curl_easy_setopt(e, CURLOPT_POST, 1L);
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->call.body.data());
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p->call.body.size()));
        }
        if (const std::string ca = ca_file_for(p->call); !ca.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, ca.c_str());
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, p.get());
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, p.get());
        const long timeout_ms = std::max(1L, static_cast<long>(p->call.timeout_s * 1000.0));
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_PRIVATE, p.get());
        // TLS peer and host verification stay at curl's secure defaults on purpose; a private
        // CA is added with ca_file, never by switching verification off.
        p->easy = e;
        ++endpoints[static_cast<std::size_t>(p->call.endpoint)].active;
        curl_multi_add_handle(multi, e);
        active[e] = std::move(p);
    }

    void finish(std::unique_ptr<Pending> p, CallResult::Status status, std::string error) {
        CallResult r;
        r.status = status;
        r.http_status = p->last_status;
        r.attempts = p->attempts;
        r.seconds = p->attempts ? std::chrono::duration<double>(Clock::now() - p->first_start).count() : 0.0;
        r.error = scrub(std::move(error), p->call.api_key);
        r.content_type = header(*p, "content-type");
        if (status == CallResult::Status::Failed) note_final_failure(r.error);
        if (status == CallResult::Status::Ok) {
            r.body = std::move(p->response);
            ++stats->succeeded;
        } else if (status == CallResult::Status::Failed) {
            ++stats->failed;
            emit(*p, p->last_status, "failed: " + r.error);
        } else {
            ++stats->cancelled;
        }
        if (p->headers) curl_slist_free_all(p->headers);
        p->headers = nullptr;
        auto done = std::move(p->call.done);
        p.reset();
        if (done) done(r);
    }

    // retry_after_s < 0: the server named no wait.
    void retry_or_fail(std::unique_ptr<Pending> p, const std::string& why, double retry_after_s) {
        if (p->streamed) {
            finish(std::move(p), CallResult::Status::Failed, why + " (after part of the reply was streamed: not retried)");
            return;
        }
        if (p->attempts >= policy.max_attempts) {
            std::string msg = "gave up after " + std::to_string(p->attempts) + " attempts: " + why;
            finish(std::move(p), CallResult::Status::Failed, std::move(msg));
            return;
        }
        double delay = policy.initial_backoff_s * std::pow(2.0, p->attempts - 1);
        delay = std::min(delay, policy.max_backoff_s);
        std::uniform_real_distribution<double> u(1.0 - policy.jitter, 1.0 + policy.jitter);
        delay *= u(rng);
        std::string note;
        if (retry_after_s >= 0) {
            if (retry_after_s > policy.max_retry_after_s) {
                char b[96];
                std::snprintf(b, sizeof b, " (server asked for %.0f s; capped by retry.max_retry_after_s)",
                              retry_after_s);
                note = b;
            }
            delay = std::min(retry_after_s, policy.max_retry_after_s);
        }
        ++stats->retries;
        char buf[64];
        std::snprintf(buf, sizeof buf, "retry in %.2f s: ", delay);
        emit(*p, p->last_status, buf + why + note);
        p->not_before =
            Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay));
        delayed.push_back(std::move(p));
    }

    // Server-named wait: retry-after-ms (OpenAI) first, then Retry-After; negative when none.
    static double server_wait(const Pending& p) {
        const std::string ms = header(p, "retry-after-ms");
        if (!ms.empty()) {
            try {
                std::size_t used = 0;
                const double v = std::stod(ms, &used);
                if (used == ms.size() && v >= 0 && std::isfinite(v)) return v / 1000.0;
            } catch (const std::exception&) {
            }
        }
        return parse_retry_after(header(p, "retry-after"));
    }

    // Circuit breaker: a run that can only fail the same way stops with one message instead
    // of paying for (or waiting on) every remaining row.
    void note_final_failure(const std::string& error) {
        if (policy.breaker_threshold <= 0 || !stopped.empty()) return;
        // "gave up after N attempts: X" and "X" are the same failure.
        std::string sig = error;
        if (sig.rfind("gave up after ", 0) == 0)
            if (auto c = sig.find(": "); c != std::string::npos) sig = sig.substr(c + 2);
        same_failures = sig == last_failure ? same_failures + 1 : 1;
        last_failure = sig;
        if (same_failures >= policy.breaker_threshold)
            trip(std::to_string(same_failures) + " calls in a row failed with the same error: " + error);
    }
    void note_connection_failure(const std::string& why) {
        if (policy.breaker_threshold <= 0 || !stopped.empty()) return;
        if (++connection_failures >= policy.breaker_threshold)
            trip(std::to_string(connection_failures) + " connection attempts in a row failed: " + why);
    }
    void trip(std::string reason) {
        stopped = "stopped the run: " + std::move(reason);
        if (on_event && *on_event) (*on_event)(CallEvent{"run", 0, 0, stopped});
    }

    void completed(CURL* e, CURLcode code) {
        auto it = active.find(e);
        auto p = std::move(it->second);
        active.erase(it);
        curl_multi_remove_handle(multi, e);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, nullptr);  // the buffer dies with p
        --endpoints[static_cast<std::size_t>(p->call.endpoint)].active;
        p->easy = nullptr;
        spare_handles.push_back(e);
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        p->last_status = status;
        if (code != CURLE_OK) {
            if (p->too_large) {
                const std::string ct = header(*p, "content-type");
                // The message is built before p is moved: argument order is unspecified.
                std::string msg = "response larger than " + std::to_string(p->call.max_response_bytes) +
                                  " bytes (HTTP " + std::to_string(status) + ", " +
                                  (ct.empty() ? "no content type" : ct) + "); not read further (max_response_bytes)";
                finish(std::move(p), CallResult::Status::Failed, std::move(msg));
                return;
            }
            std::string why =
                std::string("transport: ") + (p->curl_error[0] ? p->curl_error : curl_easy_strerror(code));
            if (connection_failure(code))
                note_connection_failure(why);
            else
                connection_failures = 0;
            if (retryable_transport(code))
                retry_or_fail(std::move(p), why, -1);
            else
                finish(std::move(p), CallResult::Status::Failed, why);
            return;
        }
        connection_failures = 0;
        if (status >= 200 && status < 300) {
            if (p->call.validate) {
                if (auto problem = p->call.validate(p->response)) {
                    if (p->call.on_rejected) p->call.on_rejected(p->response);
                    const std::string ct = header(*p, "content-type");
                    std::string why = "malformed response (HTTP " + std::to_string(status) + ", " +
                                      (ct.empty() ? "no content type" : ct) + ", " +
                                      std::to_string(p->response.size()) + " bytes): " + problem->message;
                    if (problem->message.find("not a JSON") != std::string::npos ||
                        problem->message.find("not JSON") != std::string::npos)
                        why += ": " + body_snippet(p->response, 120);
                    if (problem->retryable)
                        retry_or_fail(std::move(p), why, -1);
                    else
                        finish(std::move(p), CallResult::Status::Failed, why);
                    return;
                }
            }
            same_failures = 0;
            last_failure.clear();
            emit(*p, status, "ok");
            finish(std::move(p), CallResult::Status::Ok, "");
            return;
        }
        std::string msg = http_error_text(status, header(*p, "content-type"), p->response);
        // x-should-retry (OpenAI) overrides the status rule either way, as in the SDKs.
        const std::string should = header(*p, "x-should-retry");
        bool retry = should == "true" ? true : should == "false" ? false : retryable_status(status);
        if (status == 429 && is_quota_error(p->response)) {
            retry = false;  // out of credit: waiting does not refill it
            msg += " [not retried: the account has no quota left]";
        }
        if (retry) {
            const double wait = server_wait(*p);  // before p is moved: argument order is unspecified
            retry_or_fail(std::move(p), msg, wait);
        }
        else
            finish(std::move(p), CallResult::Status::Failed, msg);
    }

    void cancel_all() {
        stats->abandoned += active.size();
        for (auto& [e, p] : active) {
            curl_multi_remove_handle(multi, e);
            spare_handles.push_back(e);
        }
        std::vector<std::unique_ptr<Pending>> all;
        for (auto& [e, p] : active) all.push_back(std::move(p));
        active.clear();
        for (auto& ep : endpoints) {
            ep.active = 0;
            for (auto& p : ep.queue) all.push_back(std::move(p));
            ep.queue.clear();
        }
        for (auto& p : delayed) all.push_back(std::move(p));
        delayed.clear();
        for (auto& p : all) finish(std::move(p), CallResult::Status::Cancelled, "cancelled");
    }
};

CallEngine::CallEngine(RetryPolicy policy, std::uint64_t seed) : impl_(std::make_unique<Impl>()) {
    global_curl_init();
    impl_->policy = policy;
    impl_->rng.seed(seed);
    impl_->multi = curl_multi_init();
    if (!impl_->multi) throw std::runtime_error("curl_multi_init failed");
    impl_->stats = &stats_;
    impl_->on_event = &on_event;
}

CallEngine::~CallEngine() {
    for (auto& [e, p] : impl_->active) {
        curl_multi_remove_handle(impl_->multi, e);
        curl_easy_cleanup(e);
        if (p->headers) curl_slist_free_all(p->headers);
    }
    for (auto& ep : impl_->endpoints)
        for (auto& p : ep.queue)
            if (p->headers) curl_slist_free_all(p->headers);
    for (auto& p : impl_->delayed)
        if (p->headers) curl_slist_free_all(p->headers);
    for (CURL* e : impl_->spare_handles) curl_easy_cleanup(e);
    curl_multi_cleanup(impl_->multi);
}

const std::string& CallEngine::stopped_reason() const {
    return impl_->stopped;
}

void CallEngine::reset(RetryPolicy policy) {
    Impl& m = *impl_;
    bool queued = false;
    for (const auto& ep : m.endpoints) queued = queued || !ep.queue.empty();
    if (!m.active.empty() || !m.delayed.empty() || queued)
        throw std::logic_error("CallEngine::reset: calls are still pending");
    m.policy = policy;
    m.endpoints.clear();
    m.stopped.clear();
    m.last_failure.clear();
    m.same_failures = m.connection_failures = 0;
    stats_ = {};
    on_event = nullptr;
}

int CallEngine::add_endpoint(int max_concurrency) {
    impl_->endpoints.emplace_back().max_concurrency = std::max(1, max_concurrency);
    return static_cast<int>(impl_->endpoints.size()) - 1;
}

void CallEngine::submit(HttpCall call) {
    if (call.endpoint < 0 || static_cast<std::size_t>(call.endpoint) >= impl_->endpoints.size())
        throw std::invalid_argument("CallEngine::submit: unknown endpoint index");
    auto p = std::make_unique<Impl::Pending>();
    const auto ep = static_cast<std::size_t>(call.endpoint);
    p->call = std::move(call);
    impl_->endpoints[ep].queue.push_back(std::move(p));
}

bool CallEngine::run(const std::atomic<bool>* cancel) {
    Impl& m = *impl_;
    for (;;) {
        if ((cancel && cancel->load()) || !m.stopped.empty()) {
            m.cancel_all();
            return false;
        }
        const auto now = Clock::now();
        auto next_due = Clock::time_point::max();
        for (auto it = m.delayed.begin(); it != m.delayed.end();) {
            if ((*it)->not_before <= now) {
                const auto ep = static_cast<std::size_t>((*it)->call.endpoint);
                m.endpoints[ep].queue.push_front(std::move(*it));
                it = m.delayed.erase(it);
            } else {
                next_due = std::min(next_due, (*it)->not_before);
                ++it;
            }
        }
        bool queued = false;
        for (auto& ep : m.endpoints) {
            while (ep.active < ep.max_concurrency && !ep.queue.empty()) {
                auto p = std::move(ep.queue.front());
                ep.queue.pop_front();
                m.start(std::move(p));
            }
            queued = queued || !ep.queue.empty();
        }
        if (m.active.empty() && !queued && m.delayed.empty()) return true;

        int running = 0;
        curl_multi_perform(m.multi, &running);
        int left = 0;
        bool any_done = false;
        while (CURLMsg* msg = curl_multi_info_read(m.multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            m.completed(msg->easy_handle, msg->data.result);
            any_done = true;
        }
        if (any_done) continue;  // start follow-up calls right away

        int wait_ms = 100;  // bounds how late a cancel is noticed
        if (next_due != Clock::time_point::max()) {
            const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(next_due - Clock::now()).count();
            wait_ms = static_cast<int>(std::clamp<long long>(until + 1, 0, wait_ms));
        }
        curl_multi_poll(m.multi, nullptr, 0, wait_ms, nullptr);
    }
}

}  // namespace automix::live
