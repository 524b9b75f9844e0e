// Progress on stderr for long work: a live line on a terminal; in a log or a
// pipe, once the work has taken a few seconds, a line per phase and per
// tenth, so logs of many small imports stay short.
#pragma once

#include <chrono>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

namespace samkart::cli {

class ProgressLine {
 public:
  explicit ProgressLine(std::string subject)
      : subject_(std::move(subject)),
        tty_(isatty(STDERR_FILENO) != 0),
        started_(std::chrono::steady_clock::now()) {}
  ~ProgressLine() { Finish(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void Update(const std::string& phase, double fraction) {
    const int tenth = static_cast<int>(fraction * 10);
    const bool slow = std::chrono::steady_clock::now() - started_ > std::chrono::seconds(2);
    if (phase != phase_) {
      phase_ = phase;
      tenth_ = -1;
      if (!tty_ && slow) std::cerr << fmt::format("{}: {} …\n", subject_, phase) << std::flush;
    }
    if (tty_) {
      const int width = 30;
      const int filled = static_cast<int>(fraction * width);
      std::cerr << fmt::format("\r{}: {:<13} [{}{}] {:3.0f} %", subject_, phase,
                               std::string(static_cast<std::size_t>(filled), '#'),
                               std::string(static_cast<std::size_t>(width - filled), '.'),
                               fraction * 100)
                << std::flush;
      drawn_ = true;
    } else if (slow && tenth != tenth_ && tenth > 0 && tenth < 10) {
      std::cerr << fmt::format("{}: {} {} %\n", subject_, phase, tenth * 10) << std::flush;
    }
    tenth_ = tenth;
  }

  // Clears the live line so the next output starts on a fresh line.
  void Finish() {
    if (tty_ && drawn_) std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
  }

 private:
  std::string subject_;
  bool tty_;
  std::chrono::steady_clock::time_point started_;
  bool drawn_ = false;
  std::string phase_;
  int tenth_ = -1;
};

}  // namespace samkart::cli
