// How `samkart serve` takes its connections. A connection is given a worker
// thread only once a whole request head (request line and headers) has
// arrived: one thread waits for the heads of all connections at once, each
// with a deadline, so clients that send slowly, or not at all, cannot hold
// the workers and keep others waiting. A worker then reads the body under a
// minimum rate and a byte limit, answers, and hands a kept-alive connection
// back to wait for its next request.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

#include <httplib.h>

#include "samkart/web/connection_limits.h"

namespace samkart::web {

class WaitingRoom;

// The task queue of a plain-HTTP server. Its enqueue() runs the accept
// task at once on the listening thread, since that task only hands the
// socket to the waiting room (see ServeConnections); requests are served
// on a pool of `threads` workers.
class ConnectionDispatcher : public httplib::TaskQueue {
 public:
  // Serves one request from the stream (httplib's Server::process_request).
  using ServeRequest =
      std::function<bool(httplib::Stream& stream, bool close_connection, bool& connection_closed)>;
  ConnectionDispatcher(std::size_t threads, const ConnectionLimits& limits,
                       std::size_t max_upload_bytes, ServeRequest serve);
  ~ConnectionDispatcher() override;

  void enqueue(std::function<void()> accept_task) override;
  // Closes the connections that wait for a head, lets the workers finish
  // the requests they serve and closes those connections after them.
  void shutdown() override;

  // A socket just accepted: it waits for its first request head.
  void Accept(int socket);

 private:
  std::unique_ptr<WaitingRoom> waiting_;
};

// For the request being served on this thread, from route handlers:
// the largest body it may send (a form is limited more than an upload) …
void LimitRequestBody(std::size_t max_bytes);
// … and that its connection is closed once the answer has been sent (the
// body was refused unread, so what follows on the connection is not a
// request).
void CloseConnectionAfterAnswer();

// Why this thread's request body could not be read to the end, if that is
// why the request failed: it grew past its limit, or came too slowly.
enum class BodyFailure { kNone, kTooLarge, kTooSlow };
BodyFailure CurrentBodyFailure();

}  // namespace samkart::web
