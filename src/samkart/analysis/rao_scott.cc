// The computation is that of survey:::svychisq.survey.design (survey 4.1.1),
// with the algebra of a table of two rows worked out by hand:
//
//   Cells (r, c): r = 1 reports, r = 0 does not; c the groups tested, the
//   last of them L. p_rc are the cell proportions of the domain's N
//   respondents, D = diag(p) with 1/0 taken as 0, as R does.
//
//   V, the linearised covariance of the p_rc between rounds (svymean on
//   the cell indicators): a round h contributes the totals
//   z_h,rc = (count_h,rc − n_h·p_rc)/N, rounds without respondents in the
//   domain contribute zero, and V = m/(m − 1)·Σ_h (z_h − z̄)(z_h − z̄)' over
//   all m rounds of the design, z̄ = Σ_h z_h / m (zero but for rounding).
//
//   C, the interaction contrasts: R takes the interaction columns of the
//   saturated model minus their projection on the main effects (qr.resid),
//   a basis of the tables whose rows and columns all sum to zero. For two
//   rows those are [v; −v] with Σ v = 0, spanned by
//   C_j = e(1,j) − e(0,j) − e(1,L) + e(0,L), j < L.
//   Delta = (C'D⁻¹C/N)⁻¹ (C'D⁻¹VD⁻¹C); another basis C·M turns Delta into
//   M⁻¹·Delta·M, so its trace and the trace of its square, all the test
//   uses, are those of R's basis.
//
//   With q_c = 1/p_1c + 1/p_0c, C'D⁻¹C = Q + q_L·11' for Q = diag(q_j),
//   j < L, whose inverse is Sherman–Morrison's; and C'D⁻¹z_h has entries
//   u_h,j − u_h,L with u_h,c = z_h,1c/p_1c − z_h,0c/p_0c.

#include "samkart/analysis/rao_scott.h"

#include <cmath>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "samkart/analysis/distributions.h"

namespace samkart::analysis {

namespace {

constexpr const char* kTooFew = "for få grupper eller runder til å teste forskjeller";

// 1/p, and 0 for an empty cell (R's ifelse(mean2 == 0, 0, 1/mean2)).
double InverseOrZero(double p) { return p > 0 ? 1 / p : 0; }

}  // namespace

Result<RaoScottResult> RaoScottTest(const std::vector<ClusterGroupCount>& counts,
                                    std::size_t groups, std::size_t design_clusters) {
  // Totals per group, and the rounds with respondents in the domain.
  std::vector<double> group_n(groups, 0);
  std::vector<double> group_y(groups, 0);
  std::unordered_map<std::size_t, std::size_t> cluster_index;
  for (const ClusterGroupCount& count : counts) {
    if (count.group >= groups || !std::isfinite(count.n) || !(count.y >= 0) ||
        !(count.y <= count.n)) {
      return Error{fmt::format(
          "ugyldige antall i testen av forskjeller mellom grupper: gruppe {} av {}, runde {}, "
          "n = {}, ja = {}",
          count.group, groups, count.cluster, count.n, count.y)};
    }
    if (count.n == 0) continue;  // no respondents: not in the domain
    group_n[count.group] += count.n;
    group_y[count.group] += count.y;
    cluster_index.try_emplace(count.cluster, cluster_index.size());
  }

  // The groups tested: those with respondents, in order; column L is the last.
  std::vector<std::size_t> column_of_group(groups, groups);
  std::vector<double> n_of;
  std::vector<double> y_of;
  for (std::size_t g = 0; g < groups; ++g) {
    if (group_n[g] == 0) continue;
    column_of_group[g] = n_of.size();
    n_of.push_back(group_n[g]);
    y_of.push_back(group_y[g]);
  }
  const std::size_t columns = n_of.size();
  const std::size_t clusters = cluster_index.size();
  if (columns < 2 || clusters < 2) return Error{kTooFew};
  if (design_clusters < clusters) {
    return Error{fmt::format("flere runder med svar ({}) enn runder i utvalget ({})", clusters,
                             design_clusters)};
  }

  double total = 0;
  double reporting = 0;
  for (std::size_t c = 0; c < columns; ++c) {
    total += n_of[c];
    reporting += y_of[c];
  }
  // R cannot build the table's contrasts from a single answer either.
  if (reporting == 0 || reporting == total) {
    return Error{"alle har svart likt, så det er ingen forskjell mellom gruppene å teste"};
  }

  RaoScottResult result;
  result.groups = columns;
  result.clusters = clusters;

  // Pearson's X² of the 2 × groups count table (chisq.test, no continuity
  // correction): Σ (observed − expected)²/expected over both rows.
  for (std::size_t c = 0; c < columns; ++c) {
    const double expected_yes = n_of[c] * reporting / total;
    const double expected_no = n_of[c] * (total - reporting) / total;
    const double yes = y_of[c] - expected_yes;
    const double no = (n_of[c] - y_of[c]) - expected_no;
    result.pearson += yes * yes / expected_yes + no * no / expected_no;
  }

  // Inverse cell proportions, and the part of u_h,c that every respondent of
  // a round contributes through −n_h·p_rc (zero unless a cell is empty).
  std::vector<double> inverse_yes(columns);
  std::vector<double> inverse_no(columns);
  std::vector<double> centring(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    const double p_yes = y_of[c] / total;
    const double p_no = (n_of[c] - y_of[c]) / total;
    inverse_yes[c] = InverseOrZero(p_yes);
    inverse_no[c] = InverseOrZero(p_no);
    centring[c] = p_yes * inverse_yes[c] - p_no * inverse_no[c];
  }

  // u_h for every round with respondents, then w_h = C'D⁻¹z_h.
  const std::size_t contrasts = columns - 1;
  const std::size_t last = columns - 1;
  std::vector<double> round_n(clusters, 0);
  std::vector<double> u(clusters * columns, 0);
  for (const ClusterGroupCount& count : counts) {
    if (count.n == 0) continue;
    const std::size_t h = cluster_index.at(count.cluster);
    const std::size_t c = column_of_group[count.group];
    round_n[h] += count.n;
    u[h * columns + c] += (count.y * inverse_yes[c] - (count.n - count.y) * inverse_no[c]) / total;
  }
  std::vector<double> w(clusters * contrasts);
  std::vector<double> w_mean(contrasts, 0);
  for (std::size_t h = 0; h < clusters; ++h) {
    const double share_of_total = round_n[h] / total;
    auto u_of = [&](std::size_t c) { return u[h * columns + c] - share_of_total * centring[c]; };
    const double u_last = u_of(last);
    for (std::size_t j = 0; j < contrasts; ++j) {
      w[h * contrasts + j] = u_of(j) - u_last;
      w_mean[j] += w[h * contrasts + j];
    }
  }
  const double m = static_cast<double>(design_clusters);
  for (double& mean : w_mean) mean /= m;

  // B = C'D⁻¹VD⁻¹C = m/(m − 1)·(Σ_h (w_h − w̄)(w_h − w̄)' + (m − rounds)·w̄w̄'),
  // the rounds without respondents in the domain entering as w_h = 0.
  std::vector<double> b(contrasts * contrasts, 0);
  std::vector<double> centred(contrasts);
  for (std::size_t h = 0; h < clusters; ++h) {
    for (std::size_t j = 0; j < contrasts; ++j) centred[j] = w[h * contrasts + j] - w_mean[j];
    for (std::size_t j = 0; j < contrasts; ++j) {
      for (std::size_t k = 0; k <= j; ++k) b[j * contrasts + k] += centred[j] * centred[k];
    }
  }
  const double empty_rounds = m - static_cast<double>(clusters);
  const double scale = m / (m - 1);
  for (std::size_t j = 0; j < contrasts; ++j) {
    for (std::size_t k = 0; k <= j; ++k) {
      double& entry = b[j * contrasts + k];
      entry = scale * (entry + empty_rounds * w_mean[j] * w_mean[k]);
      b[k * contrasts + j] = entry;
    }
  }

  // Delta = N·(Q + q_L·11')⁻¹·B. By Sherman–Morrison, with g = Q⁻¹1,
  // (Q + q_L·11')⁻¹ = Q⁻¹ − κ·g g' where κ = q_L/(1 + q_L·Σg), so
  // Delta_jk = N·g_j·(B_jk − κ·(g'B)_k). Every q_c > 0: a tested group has
  // respondents, so at least one of its cells is not empty.
  std::vector<double> g(contrasts);
  double g_sum = 0;
  for (std::size_t j = 0; j < contrasts; ++j) {
    g[j] = 1 / (inverse_yes[j] + inverse_no[j]);
    g_sum += g[j];
  }
  const double q_last = inverse_yes[last] + inverse_no[last];
  const double kappa = q_last / (1 + q_last * g_sum);
  std::vector<double> g_b(contrasts, 0);
  for (std::size_t j = 0; j < contrasts; ++j) {
    for (std::size_t k = 0; k < contrasts; ++k) g_b[k] += g[j] * b[j * contrasts + k];
  }
  std::vector<double> delta(contrasts * contrasts);
  for (std::size_t j = 0; j < contrasts; ++j) {
    for (std::size_t k = 0; k < contrasts; ++k) {
      delta[j * contrasts + k] = total * g[j] * (b[j * contrasts + k] - kappa * g_b[k]);
    }
  }
  double trace = 0;
  double trace_of_square = 0;
  for (std::size_t j = 0; j < contrasts; ++j) {
    trace += delta[j * contrasts + j];
    for (std::size_t k = 0; k < contrasts; ++k) {
      trace_of_square += delta[j * contrasts + k] * delta[k * contrasts + j];
    }
  }
  // Every round with the domain's own mix of answers in every group: no
  // variance to scale X² by (R would report F = ∞ on undefined ndf).
  if (!(trace > 0) || !(trace_of_square > 0)) {
    return Error{"svarene varierer ikke mellom rundene, så forskjellen kan ikke testes"};
  }

  result.f = result.pearson / trace;
  result.ndf = trace * trace / trace_of_square;
  result.ddf = result.ndf * static_cast<double>(clusters - 1);
  result.p_value = FUpperTail(result.f, result.ndf, result.ddf);
  result.mean_design_effect = trace / static_cast<double>(contrasts);
  return result;
}

}  // namespace samkart::analysis
