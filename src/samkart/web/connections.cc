#include "samkart/web/connections.h"

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace samkart::web {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Bytes asked of the kernel at a time.
constexpr std::size_t kReadChunk = 16u << 10;
// A connection refused with its body unread is closed only after reading
// (and discarding) what the client still sends, for this long or this many
// bytes: closing with unread data makes the kernel reset the connection,
// and the client would lose the answer.
constexpr milliseconds kLingerTime{2000};
constexpr std::size_t kMaxLingerBytes = 1u << 20;

struct Connection {
  int socket = -1;
  std::string buffer;  // received, not yet given to the parser
  std::size_t requests = 0;
  Clock::time_point deadline;
  bool lingering = false;  // answered and closing; what comes is discarded
  std::size_t discarded = 0;
};

std::size_t HeadEnd(const std::string& buffer) {
  const auto end = buffer.find("\r\n\r\n");
  return end == std::string::npos ? std::string::npos : end + 4;
}

void CloseSocket(int socket) {
  ::shutdown(socket, SHUT_RDWR);
  ::close(socket);
}

// A short answer written straight to a socket no worker serves; what does
// not fit in the socket buffer at once is dropped, since the answer is tiny.
void SendShortAnswer(int socket, int status, std::string_view reason, std::string_view message) {
  const std::string answer = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      status, reason, message.size(), message);
  (void)::send(socket, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

int MillisecondsUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

bool WaitFor(int socket, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd wanted{socket, events, 0};
    const int ready = ::poll(&wanted, 1, MillisecondsUntil(deadline));
    if (ready > 0) return true;
    if (ready == 0 && Clock::now() >= deadline) return false;
    if (ready < 0 && errno != EINTR) return false;
  }
}

void AddressOf(int socket, bool peer, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  const int got = peer ? ::getpeername(socket, reinterpret_cast<sockaddr*>(&address), &length)
                       : ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length);
  if (got != 0) return;
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&address), length, host, sizeof(host), service,
                    sizeof(service), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(service);
  }
}

// One request on a connection whose head is already in the buffer: the
// parser reads the head from there, and the body from the socket under
// the rate and size limits.
class RequestStream final : public httplib::Stream {
 public:
  RequestStream(Connection& connection, const ConnectionLimits& limits, std::size_t max_body)
      : connection_(connection),
        limits_(limits),
        head_end_(HeadEnd(connection.buffer)),
        body_limit_(max_body),
        started_(Clock::now()) {}

  bool is_readable() const override {
    return position_ < connection_.buffer.size() ||
           WaitFor(connection_.socket, POLLIN, BodyDeadline());
  }
  bool is_writable() const override {
    return WaitFor(connection_.socket, POLLOUT, Clock::now() + limits_.write_timeout);
  }

  ssize_t read(char* ptr, std::size_t size) override {
    if (size == 0) return 0;
    std::size_t allowed = head_end_ - std::min(delivered_, head_end_);
    if (allowed == 0) {
      const std::size_t body = delivered_ - head_end_;
      if (body >= body_limit_) {
        failure_ = BodyFailure::kTooLarge;
        close_after_answer_ = true;
        return -1;
      }
      allowed = body_limit_ - body;
    }
    if (position_ == connection_.buffer.size() && !Fill()) return -1;
    const std::size_t n = std::min({size, allowed, connection_.buffer.size() - position_});
    std::copy_n(connection_.buffer.data() + position_, n, ptr);
    position_ += n;
    delivered_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, std::size_t size) override {
    std::size_t sent = 0;
    while (sent < size) {
      const ssize_t n =
          ::send(connection_.socket, ptr + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (!is_writable()) return -1;
      } else {
        return -1;
      }
    }
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    AddressOf(connection_.socket, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    AddressOf(connection_.socket, false, ip, port);
  }
  socket_t socket() const override { return connection_.socket; }

  // Leaves in the buffer only what the parser has not taken (a pipelined
  // next request).
  void Finish() { connection_.buffer.erase(0, position_); }

  bool close_after_answer() const { return close_after_answer_; }
  void set_close_after_answer() { close_after_answer_ = true; }
  void set_body_limit(std::size_t max_bytes) { body_limit_ = max_bytes; }
  BodyFailure failure() const { return failure_; }

 private:
  Clock::time_point BodyDeadline() const {
    const std::size_t body = delivered_ > head_end_ ? delivered_ - head_end_ : 0;
    const auto earned =
        milliseconds(body * 1000 / std::max<std::size_t>(limits_.min_body_bytes_per_second, 1));
    return started_ + limits_.body_grace + earned;
  }

  // Receives more bytes into the (fully read) buffer.
  bool Fill() {
    connection_.buffer.clear();
    position_ = 0;
    for (;;) {
      if (!WaitFor(connection_.socket, POLLIN, BodyDeadline())) {
        failure_ = BodyFailure::kTooSlow;
        close_after_answer_ = true;
        return false;
      }
      connection_.buffer.resize(kReadChunk);
      const ssize_t n = ::recv(connection_.socket, connection_.buffer.data(), kReadChunk, 0);
      connection_.buffer.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
      if (n > 0) return true;
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return false;
    }
  }

  Connection& connection_;
  const ConnectionLimits& limits_;
  const std::size_t head_end_;
  std::size_t body_limit_;
  const Clock::time_point started_;
  std::size_t position_ = 0;   // in connection_.buffer
  std::size_t delivered_ = 0;  // bytes given to the parser, head included
  bool close_after_answer_ = false;
  BodyFailure failure_ = BodyFailure::kNone;
};

thread_local RequestStream* current_request = nullptr;

class CurrentRequest {
 public:
  explicit CurrentRequest(RequestStream& stream) { current_request = &stream; }
  ~CurrentRequest() { current_request = nullptr; }
  CurrentRequest(const CurrentRequest&) = delete;
  CurrentRequest& operator=(const CurrentRequest&) = delete;
};

}  // namespace

// The thread that waits for request heads, and the workers that serve them.
class WaitingRoom {
 public:
  WaitingRoom(std::size_t threads, const ConnectionLimits& limits, std::size_t max_upload_bytes,
              ConnectionDispatcher::ServeRequest serve)
      : limits_(limits),
        max_upload_bytes_(max_upload_bytes),
        serve_(std::move(serve)),
        wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        workers_(threads),
        thread_([this] { Run(); }) {}

  ~WaitingRoom() { Stop(); }

  void Accept(int socket) {
    auto* connection = new Connection;
    connection->socket = socket;
    connection->deadline = Clock::now() + limits_.head_deadline;
    Add(connection);
  }

  void Add(Connection* connection) {
    {
      std::lock_guard lock(mutex_);
      if (!stopped_) {
        arrived_.push_back(connection);
        connection = nullptr;
      }
    }
    if (connection) {
      CloseSocket(connection->socket);
      delete connection;
      return;
    }
    Wake();
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
    }
    Wake();
    thread_.join();
    workers_.shutdown();
    ::close(wake_);
  }

 private:
  void Wake() {
    const uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof(one));
  }

  // Runs on a worker: serves requests while their heads are already here,
  // then hands the connection back (or closes it).
  void Serve(Connection* connection) {
    for (;;) {
      const bool last = connection->requests + 1 >= limits_.max_requests_per_connection ||
                        stopping_.load(std::memory_order_relaxed);
      bool closed = false;
      RequestStream stream(*connection, limits_, max_upload_bytes_);
      bool served = false;
      {
        CurrentRequest current(stream);
        served = serve_(stream, last, closed);
      }
      stream.Finish();
      ++connection->requests;
      if (stream.close_after_answer()) {
        Linger(connection);
        return;
      }
      if (!served || closed || last) {
        CloseSocket(connection->socket);
        delete connection;
        return;
      }
      if (HeadEnd(connection->buffer) == std::string::npos) {
        connection->deadline = Clock::now() + limits_.head_deadline;
        Add(connection);
        return;
      }
    }
  }

  void Linger(Connection* connection) {
    ::shutdown(connection->socket, SHUT_WR);
    connection->lingering = true;
    connection->buffer.clear();
    connection->deadline = Clock::now() + kLingerTime;
    Add(connection);
  }

  // Reads what has arrived. False when the connection is done with: closed
  // by the client, failed, or lingered long enough.
  bool Receive(Connection& connection) {
    char chunk[kReadChunk];
    for (;;) {
      const ssize_t n = ::recv(connection.socket, chunk, sizeof(chunk), MSG_DONTWAIT);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      if (connection.lingering) {
        connection.discarded += static_cast<std::size_t>(n);
        if (connection.discarded > kMaxLingerBytes) return false;
        continue;
      }
      connection.buffer.append(chunk, static_cast<std::size_t>(n));
      if (HeadEnd(connection.buffer) != std::string::npos ||
          connection.buffer.size() > limits_.max_head_bytes) {
        return true;
      }
    }
  }

  // Decides a waiting connection's fate after a poll: it keeps waiting
  // (true), or it was dispatched or closed (false).
  bool KeepWaiting(Connection* connection, bool readable) {
    if (readable && !Receive(*connection)) {
      CloseSocket(connection->socket);
      delete connection;
      return false;
    }
    if (!connection->lingering) {
      const std::size_t head_end = HeadEnd(connection->buffer);
      if (head_end != std::string::npos && head_end <= limits_.max_head_bytes) {
        workers_.enqueue([this, connection] { Serve(connection); });
        return false;
      }
      if (connection->buffer.size() > limits_.max_head_bytes) {
        SendShortAnswer(connection->socket, 431, "Request Header Fields Too Large",
                        "Forespørselens hode er for stort.\n");
        Linger(connection);
        return false;
      }
    }
    if (Clock::now() < connection->deadline) return true;
    if (!connection->lingering && !connection->buffer.empty()) {
      SendShortAnswer(connection->socket, 408, "Request Timeout",
                      "Forespørselen kom ikke fram i tide.\n");
    }
    CloseSocket(connection->socket);
    delete connection;
    return false;
  }

  void Run() {
    std::vector<Connection*> waiting;
    std::vector<pollfd> polled;
    for (;;) {
      std::vector<Connection*> arrived;
      bool stopped = false;
      {
        std::lock_guard lock(mutex_);
        arrived.swap(arrived_);
        stopped = stopped_;
      }
      if (stopped) {
        stopping_ = true;
        for (Connection* connection : waiting) {
          CloseSocket(connection->socket);
          delete connection;
        }
        for (Connection* connection : arrived) {
          CloseSocket(connection->socket);
          delete connection;
        }
        return;
      }
      for (Connection* connection : arrived) {
        if (waiting.size() >= limits_.max_waiting_connections) {
          SendShortAnswer(connection->socket, 503, "Service Unavailable",
                          "Tjenesten er overbelastet. Prøv igjen om litt.\n");
          CloseSocket(connection->socket);
          delete connection;
        } else if (KeepWaiting(connection, false)) {
          waiting.push_back(connection);
        }
      }

      Clock::time_point next = Clock::now() + milliseconds(1000);
      polled.assign(1, pollfd{wake_, POLLIN, 0});
      for (const Connection* connection : waiting) {
        polled.push_back(pollfd{connection->socket, POLLIN, 0});
        next = std::min(next, connection->deadline);
      }
      const int ready =
          ::poll(polled.data(), static_cast<nfds_t>(polled.size()), MillisecondsUntil(next));
      if (ready < 0 && errno != EINTR) continue;
      if (polled[0].revents != 0) {
        uint64_t count = 0;
        (void)!::read(wake_, &count, sizeof(count));
      }
      std::size_t kept = 0;
      for (std::size_t i = 0; i < waiting.size(); ++i) {
        const bool readable = ready > 0 && polled[i + 1].revents != 0;
        if (KeepWaiting(waiting[i], readable)) waiting[kept++] = waiting[i];
      }
      waiting.resize(kept);
    }
  }

  const ConnectionLimits limits_;
  const std::size_t max_upload_bytes_;
  const ConnectionDispatcher::ServeRequest serve_;
  const int wake_;
  std::mutex mutex_;
  std::vector<Connection*> arrived_;  // handed over since the last poll
  bool stopped_ = false;
  std::atomic<bool> stopping_{false};  // read by workers deciding to keep a connection
  httplib::ThreadPool workers_;
  std::thread thread_;  // last: starts once everything above exists
};

ConnectionDispatcher::ConnectionDispatcher(std::size_t threads, const ConnectionLimits& limits,
                                           std::size_t max_upload_bytes, ServeRequest serve)
    : waiting_(std::make_unique<WaitingRoom>(threads, limits, max_upload_bytes, std::move(serve))) {
}

ConnectionDispatcher::~ConnectionDispatcher() = default;

void ConnectionDispatcher::enqueue(std::function<void()> accept_task) { accept_task(); }

void ConnectionDispatcher::shutdown() { waiting_->Stop(); }

void ConnectionDispatcher::Accept(int socket) { waiting_->Accept(socket); }

void LimitRequestBody(std::size_t max_bytes) {
  if (current_request) current_request->set_body_limit(max_bytes);
}

void CloseConnectionAfterAnswer() {
  if (current_request) current_request->set_close_after_answer();
}

BodyFailure CurrentBodyFailure() {
  return current_request ? current_request->failure() : BodyFailure::kNone;
}

}  // namespace samkart::web
