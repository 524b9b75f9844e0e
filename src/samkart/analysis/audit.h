// The audit of a publication: for a hidden number, the smallest and largest
// value that every published number allows, found by linear programming
// (GLPK's simplex) over the hidden cells of linked cells, as tau-Argus and
// sdcTable audit a table set. Only the hidden cells connected to the asked
// one through sums take part in its programs, so a publication is audited
// as many small programs rather than one large one.
//
// A count and its denominator (an at-most pair) are audited as the count
// and its complement (denominator minus count): the pair's constraints
// then fall apart into two programs with no coupling rows, each half the
// size, and the denominator's bounds are the sums of theirs.
//
// Most cells are proved safe without a program of their own: any feasible
// point is a proof for every cell it moves far enough, so the audit first
// solves a few programs whose objective is the sum of all undecided cells
// and then one program per cell only for those still undecided.
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
#include <utility>
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
  double Highest(std::size_t layer, std::size_t cell);
  double Lowest(std::size_t layer, std::size_t cell);
  // Is the cell's value in `layer` the only one the published numbers allow?
  bool Pinned(std::size_t layer, std::size_t cell);

  // The sensitive hidden cells that the published numbers expose, as
  // (layer, cell): a threshold layer whose upper bound stays below its
  // threshold, or any other layer whose range is one value. Audits the
  // (layer, cell) pairs in `only`, or every pair when it is empty.
  std::vector<std::pair<std::size_t, std::size_t>> Exposed(
      const Sensitivity& sensitivity, const std::vector<std::pair<std::size_t, std::size_t>>& only);

  // The sums that bound the cell's value in `layer` (those whose constraint
  // is binding, with a non-zero dual value, where its value is largest or
  // smallest) and that have a visible member: hiding one of those members
  // is what widens the cell's range.
  std::vector<std::size_t> BindingSums(std::size_t layer, std::size_t cell);

 private:
  struct Program;
  // What the feasible points found so far prove about one base layer.
  struct Bounds {
    std::vector<double> low, high;            // per cell: the extreme values seen
    std::vector<bool> exact_low, exact_high;  // proved extreme by a program of its own
  };
  Program& ProgramOf(std::size_t component, std::size_t base);
  // Solves `program` for the sum of `targets` (its member indices) and
  // records what the solution shows. Returns false when it proves nothing.
  bool Solve(Program& program, const std::vector<std::size_t>& targets, bool maximise);
  // Proves the cell's largest (or smallest) value in a base layer.
  void Extreme(std::size_t base, std::size_t cell, bool maximise);
  double Bound(std::size_t layer, std::size_t cell, bool maximise);
  enum class Verdict { kProtected, kExposed, kOpen };
  Verdict Judge(std::size_t layer, std::size_t cell, double threshold) const;

  const LinkedCells& cells_;
  const std::vector<bool>& hidden_;
  // Base layers: a layer outside at-most pairs is its own base; a pair's
  // denominator is the count's base plus the complement's.
  std::vector<std::vector<double>> base_values_;
  std::vector<std::vector<std::size_t>> bases_of_layer_;
  std::vector<std::vector<bool>> base_known_zero_;
  std::vector<Bounds> bounds_;
  std::vector<std::size_t> component_of_;  // per cell, SIZE_MAX when visible
  std::vector<std::vector<std::size_t>> members_;
  std::vector<std::vector<std::size_t>> sums_of_component_;
  std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<Program>> built_;
};

}  // namespace samkart::analysis
