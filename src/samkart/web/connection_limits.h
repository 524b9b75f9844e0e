// What `samkart serve` allows a client's connection: how long it may take
// to send a request's head, how slowly it may send a body, and how much it
// may send. The defaults suit a municipality's network; tests shorten them.
#pragma once

#include <chrono>
#include <cstddef>

namespace samkart::web {

struct ConnectionLimits {
  // The request line and headers must have arrived this long after the
  // connection opened (or after the previous answer on a kept-alive
  // connection); a connection that has sent nothing by then is closed too.
  std::chrono::milliseconds head_deadline{10'000};
  // A longer head is answered 431 and the connection closed.
  std::size_t max_head_bytes = 16u << 10;
  // A body must arrive at this rate after a grace period, so a client that
  // trickles a body cannot hold a worker for hours: by the time t after the
  // head, at least (t − grace) × rate bytes must have come.
  std::chrono::milliseconds body_grace{10'000};
  std::size_t min_body_bytes_per_second = 4u << 10;
  // Bodies that are not file uploads (forms, the JSON login): a declared
  // length above this is answered 413 before any of it is read.
  std::size_t max_form_bytes = 64u << 10;
  // Over HTTPS, where the library reads the request itself: a read that
  // waits longer than this ends the connection.
  std::chrono::milliseconds read_timeout{30'000};
  // A blocked client that stops reading the answer is dropped after this.
  std::chrono::milliseconds write_timeout{30'000};
  // Connections waiting for a head at once; more are answered 503.
  std::size_t max_waiting_connections = 20'000;
  // Requests on one kept-alive connection before it is closed.
  std::size_t max_requests_per_connection = 1000;
};

}  // namespace samkart::web
