// The audit of a publication: for a hidden number, the smallest and largest
// value that every published number allows, found by linear programming
// (GLPK's simplex) over the hidden cells of linked cells, as tau-Argus and
// sdcTable audit a table set. Only the hidden cells connected to the asked
// one through sums take part in its programs, so a publication is audited
// as many small programs rather than one large one.
//
// GLPK rather than COIN-OR CLP: both are in Debian; GLPK has a plain C API
// that builds and re-solves one program with a changed objective from the
// last basis (what an audit does thousands of times), and its licence
// (GPL-3) puts no condition on a tool that is not redistributed in binary
// form with other licences.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include "samkart/analysis/linked_cells.h"

namespace samkart::analysis {

class Auditor {
 public:
  // `hidden` per cell; the cells and the pattern must outlive the auditor.
  Auditor(const LinkedCells& cells, const std::vector<bool>& hidden);
  ~Auditor();
  Auditor(const Auditor&) = delete;
  Auditor& operator=(const Auditor&) = delete;

  // The feasible range of a hidden cell's value in `layer`. This is the
  // linear relaxation: it lets values be fractions, so a range it reports
  // as one value is exactly one value for whole numbers too, and a bound
  // it reports is the bound of whole numbers up to rounding inwards.
  FeasibleRange Range(std::size_t layer, std::size_t cell);
  // Only the largest value (one program instead of two).
  double Highest(std::size_t layer, std::size_t cell);
  double Lowest(std::size_t layer, std::size_t cell);

  // Can the cell's value in `layer` be as large as `bound`? Answered from
  // the last solution of the cell's program when that already reaches it
  // (any feasible point is proof), else by maximising.
  bool Reaches(std::size_t layer, std::size_t cell, double bound);
  // Is the cell's value in `layer` the only one the published numbers allow?
  bool Pinned(std::size_t layer, std::size_t cell);

  // Programs solved so far.
  std::size_t programs() const { return programs_; }

 private:
  struct Component;
  // The program of a cell's component over the layers linked to `layer`
  // (an item's count and its denominator): other layers share no
  // constraint with them, so each item is its own, smaller program.
  Component& ComponentOf(std::size_t cell, std::size_t layer);
  double Solve(std::size_t layer, std::size_t cell, bool maximise);
  // The cell's value in the program's last solution.
  double Current(Component& component, std::size_t layer, std::size_t cell) const;

  const LinkedCells& cells_;
  const std::vector<bool>& hidden_;
  std::vector<std::size_t> component_of_;  // per cell, SIZE_MAX when visible
  std::vector<std::vector<std::size_t>> members_;
  std::vector<std::vector<std::size_t>> sums_of_component_;
  std::vector<std::vector<std::size_t>> layer_group_;  // per layer: its linked layers
  std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<Component>> built_;
  std::size_t programs_ = 0;
};

}  // namespace samkart::analysis
