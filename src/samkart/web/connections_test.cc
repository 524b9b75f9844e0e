// The server's connection limits, tried with raw sockets as a slow or
// hostile client would: heads that never finish, bodies that trickle,
// bodies larger than declared or than allowed, and the ordinary keep-alive
// and pipelined requests that must keep working.
#include "samkart/web/connections.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/web_server.h"

namespace samkart::web {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using testing_support::TestServer;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A client socket that sends exactly what the test says.
class RawConnection {
 public:
  explicit RawConnection(int port) : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        ::connect(socket_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(socket_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  // False once the server has closed or reset the connection.
  bool Send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(socket_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // What arrives until the server closes, or until `wait` has passed.
  struct Received {
    std::string bytes;
    bool closed = false;
  };
  Received ReadUntilClosed(milliseconds wait) {
    Received received;
    const auto deadline = Clock::now() + wait;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return received;
      pollfd wanted{socket_, POLLIN, 0};
      if (::poll(&wanted, 1, static_cast<int>(left)) <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::recv(socket_, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        received.closed = true;
        return received;
      }
      received.bytes.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Reads until `count` answers to GET /helse ("ok\n" bodies) have come.
  std::string ReadAnswers(int count, milliseconds wait) {
    std::string bytes;
    const auto deadline = Clock::now() + wait;
    auto answers = [&] {
      int found = 0;
      for (auto at = bytes.find("\r\n\r\nok\n"); at != std::string::npos;
           at = bytes.find("\r\n\r\nok\n", at + 1)) {
        ++found;
      }
      return found;
    };
    while (answers() < count && Clock::now() < deadline) {
      pollfd wanted{socket_, POLLIN, 0};
      if (::poll(&wanted, 1, 50) <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::recv(socket_, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      bytes.append(chunk, static_cast<std::size_t>(n));
    }
    return bytes;
  }

 private:
  int socket_;
  bool connected_ = false;
};

constexpr const char* kHealthRequest = "GET /helse HTTP/1.1\r\nHost: localhost\r\n\r\n";

std::string StatusLine(const std::string& answer) { return answer.substr(0, answer.find('\r')); }

int CountOf(const std::string& text, const std::string& part) {
  int count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(Connections, ClientsThatSendTheirHeadsSlowlyDoNotKeepOthersWaiting) {
  ServeOptions options;
  options.threads = 2;
  TestServer server(false, options);
  // Four times as many slow clients as workers, each sending one header
  // line at a time, far within the head deadline.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 4 * options.threads; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("GET /helse HTTP/1.1\r\n"));
  }
  double slowest = 0;
  for (int round = 0; round < 5; ++round) {
    for (auto& client : slow) ASSERT_TRUE(client->Send("X-Langsom: ja\r\n"));
    const auto start = Clock::now();
    RawConnection other(server.port());
    ASSERT_TRUE(other.Send(kHealthRequest));
    const std::string answer = other.ReadAnswers(1, milliseconds(5000));
    const double seconds = SecondsSince(start);
    slowest = std::max(slowest, seconds);
    EXPECT_EQ(StatusLine(answer), "HTTP/1.1 200 OK") << answer;
    EXPECT_LT(seconds, 1.0) << "round " << round;
    std::this_thread::sleep_for(milliseconds(200));
  }
  std::cout << "slowest answer beside " << slow.size() << " slow clients: " << slowest * 1000
            << " ms\n";
  // The slow clients are served once their heads are complete.
  for (auto& client : slow) {
    ASSERT_TRUE(client->Send("\r\n"));
    EXPECT_EQ(StatusLine(client->ReadAnswers(1, milliseconds(5000))), "HTTP/1.1 200 OK");
  }
}

TEST(Connections, AHeadNotCompleteByTheDeadlineIsAnswered408AndClosed) {
  ServeOptions options;
  options.connections.head_deadline = milliseconds(500);
  TestServer server(false, options);
  RawConnection client(server.port());
  const auto start = Clock::now();
  ASSERT_TRUE(client.Send("GET /helse HTTP/1.1\r\nHost: localhost\r\n"));
  const auto received = client.ReadUntilClosed(milliseconds(5000));
  EXPECT_TRUE(received.closed);
  EXPECT_EQ(StatusLine(received.bytes), "HTTP/1.1 408 Request Timeout");
  EXPECT_GE(SecondsSince(start), 0.45);

  // A connection that sends nothing at all is closed too, without an answer.
  RawConnection silent(server.port());
  const auto silence = silent.ReadUntilClosed(milliseconds(5000));
  EXPECT_TRUE(silence.closed);
  EXPECT_EQ(silence.bytes, "");
}

TEST(Connections, AHeadOverItsLimitIsAnswered431) {
  ServeOptions options;
  TestServer server(false, options);
  RawConnection client(server.port());
  client.Send("GET /helse HTTP/1.1\r\nX-Lang: " +
              std::string(options.connections.max_head_bytes, 'a') + "\r\n");
  const auto received = client.ReadUntilClosed(milliseconds(5000));
  EXPECT_TRUE(received.closed);
  EXPECT_EQ(StatusLine(received.bytes), "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST(Connections, ADeclaredBodyOverTheLimitIsRefusedBeforeItIsSent) {
  ServeOptions options;
  options.max_upload_bytes = 1u << 20;
  TestServer server(false, options);
  struct Case {
    std::string content_type;
    std::size_t length;
    std::string limit_text;
  };
  const std::vector<Case> cases = {
      {"multipart/form-data; boundary=x", std::size_t{1} << 30, "1 MB"},
      {"application/x-www-form-urlencoded", options.connections.max_form_bytes + 1, "64 kB"},
      {"application/json", std::size_t{1} << 20, "64 kB"},
  };
  for (const Case& c : cases) {
    RawConnection client(server.port());
    const auto start = Clock::now();
    ASSERT_TRUE(client.Send(
        "POST /admin/import HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + c.content_type +
        "\r\nContent-Length: " + std::to_string(c.length) + "\r\n\r\n"));
    const auto received = client.ReadUntilClosed(milliseconds(5000));
    EXPECT_LT(SecondsSince(start), 1.0) << c.content_type;
    EXPECT_TRUE(received.closed) << c.content_type;
    EXPECT_EQ(StatusLine(received.bytes), "HTTP/1.1 413 Payload Too Large") << c.content_type;
    EXPECT_NE(received.bytes.find("Forespørselen er for stor. Grensen er " + c.limit_text),
              std::string::npos)
        << received.bytes;
  }
}

TEST(Connections, AChunkedBodyIsCutWhenItPassesTheLimit) {
  ServeOptions options;
  options.max_upload_bytes = 1u << 20;
  TestServer server(false, options);
  RawConnection client(server.port());
  ASSERT_TRUE(
      client.Send("POST /admin/import HTTP/1.1\r\nHost: localhost\r\n"
                  "Content-Type: multipart/form-data; boundary=x\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'a') + "\r\n";
  std::size_t sent = 0;
  // A client that will not stop: the server must cut it long before the
  // 256 MiB it offers.
  while (sent < (256u << 20) && client.Send(chunk)) sent += 0x10000;
  EXPECT_LT(sent, 64u << 20);
  const auto received = client.ReadUntilClosed(milliseconds(5000));
  EXPECT_TRUE(received.closed);
  if (!received.bytes.empty()) {
    EXPECT_EQ(StatusLine(received.bytes), "HTTP/1.1 413 Payload Too Large");
  }
}

TEST(Connections, ABodyThatTricklesIsCutAfterTheGrace) {
  ServeOptions options;
  options.connections.body_grace = milliseconds(500);
  options.connections.min_body_bytes_per_second = 1000;
  TestServer server(false, options);
  RawConnection client(server.port());
  const auto start = Clock::now();
  ASSERT_TRUE(client.Send(
      "POST /admin/import HTTP/1.1\r\nHost: localhost\r\n"
      "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n"));
  // Ten bytes every 100 ms is a tenth of the minimum rate.
  for (int i = 0; i < 50 && client.Send(std::string(10, 'a')); ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  const auto received = client.ReadUntilClosed(milliseconds(5000));
  EXPECT_TRUE(received.closed);
  EXPECT_EQ(StatusLine(received.bytes), "HTTP/1.1 408 Request Timeout") << received.bytes;
  EXPECT_NE(received.bytes.find("for sakte"), std::string::npos);
  EXPECT_LT(SecondsSince(start), 5.0);
}

TEST(Connections, KeptAliveAndPipelinedRequestsAreAllAnswered) {
  TestServer server(false);
  RawConnection client(server.port());
  // Two requests in one write, then a third after the answers.
  ASSERT_TRUE(client.Send(std::string(kHealthRequest) + kHealthRequest));
  const std::string first = client.ReadAnswers(2, milliseconds(5000));
  EXPECT_EQ(CountOf(first, "HTTP/1.1 200 OK"), 2) << first;
  std::this_thread::sleep_for(milliseconds(100));
  ASSERT_TRUE(client.Send(kHealthRequest));
  const std::string second = client.ReadAnswers(1, milliseconds(5000));
  EXPECT_EQ(CountOf(second, "HTTP/1.1 200 OK"), 1) << second;
  // «Connection: close» is honoured.
  ASSERT_TRUE(client.Send("GET /helse HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
  const auto last = client.ReadUntilClosed(milliseconds(5000));
  EXPECT_TRUE(last.closed);
  EXPECT_EQ(StatusLine(last.bytes), "HTTP/1.1 200 OK");
}

TEST(Connections, AnInvalidDeclaredLengthIsAnswered400) {
  TestServer server(false);
  RawConnection client(server.port());
  ASSERT_TRUE(client.Send(
      "POST /logg-inn HTTP/1.1\r\nHost: localhost\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 12x\r\n\r\n"));
  const auto received = client.ReadUntilClosed(milliseconds(5000));
  EXPECT_TRUE(received.closed);
  EXPECT_EQ(StatusLine(received.bytes), "HTTP/1.1 400 Bad Request");
}

}  // namespace
}  // namespace samkart::web
