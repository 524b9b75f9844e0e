// Progress on stderr for long work: a live line on a terminal. In a log or a
// pipe nothing, unless `--progress` asks for a line per phase and per tenth:
// output that scripts and tests compare must not depend on how fast the
// machine is.
#pragma once

#include <iostream>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

namespace samkart::cli {

// Set by the global `--progress` flag.
inline bool& ProgressInLogs() {
  static bool on = false;
  return on;
}

class ProgressLine {
 public:
  explicit ProgressLine(std::string subject)
      : subject_(std::move(subject)), tty_(isatty(STDERR_FILENO) != 0) {}
  ~ProgressLine() { Finish(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void Update(const std::string& phase, double fraction) {
    const int tenth = static_cast<int>(fraction * 10);
    const bool log = !tty_ && ProgressInLogs();
    if (phase != phase_) {
      phase_ = phase;
      tenth_ = -1;
      if (log) std::cerr << fmt::format("{}: {} …\n", subject_, phase) << std::flush;
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
    } else if (log && tenth != tenth_ && tenth > 0 && tenth < 10) {
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
  bool drawn_ = false;
  std::string phase_;
  int tenth_ = -1;
};

}  // namespace samkart::cli
