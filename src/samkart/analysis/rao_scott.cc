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

// The domain of the test: the groups with respondents (columns, the last
// of them L) and the rounds with respondents.
struct Domain {
  std::vector<std::size_t> column_of_group;  // `groups` for a group not tested
  std::vector<double> n_of, y_of;            // per column
  std::unordered_map<std::size_t, std::size_t> cluster_index;
  double total = 0, reporting = 0;

  std::size_t Columns() const { return n_of.size(); }
  std::size_t Clusters() const { return cluster_index.size(); }
};

Result<Domain> DomainOf(const std::vector<ClusterGroupCount>& counts, std::size_t groups,
                        std::size_t design_clusters) {
  // Totals per group, and the rounds with respondents in the domain.
  std::vector<double> group_n(groups, 0);
  std::vector<double> group_y(groups, 0);
  Domain domain;
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
    domain.cluster_index.try_emplace(count.cluster, domain.cluster_index.size());
  }
  // The groups tested: those with respondents, in order; column L is the last.
  domain.column_of_group.assign(groups, groups);
  for (std::size_t g = 0; g < groups; ++g) {
    if (group_n[g] == 0) continue;
    domain.column_of_group[g] = domain.n_of.size();
    domain.n_of.push_back(group_n[g]);
    domain.y_of.push_back(group_y[g]);
  }
  const std::size_t clusters = domain.Clusters();
  if (domain.Columns() < 2 || clusters < 2) return Error{kTooFew};
  if (design_clusters < clusters) {
    return Error{fmt::format("flere runder med svar ({}) enn runder i utvalget ({})", clusters,
                             design_clusters)};
  }
  for (std::size_t c = 0; c < domain.Columns(); ++c) {
    domain.total += domain.n_of[c];
    domain.reporting += domain.y_of[c];
  }
  // R cannot build the table's contrasts from a single answer either.
  if (domain.reporting == 0 || domain.reporting == domain.total) {
    return Error{"alle har svart likt, så det er ingen forskjell mellom gruppene å teste"};
  }
  return domain;
}

// Pearson's X² of the 2 × groups count table (chisq.test, no continuity
// correction): Σ (observed − expected)²/expected over both rows.
double Pearson(const Domain& d) {
  double pearson = 0;
  for (std::size_t c = 0; c < d.Columns(); ++c) {
    const double expected_yes = d.n_of[c] * d.reporting / d.total;
    const double expected_no = d.n_of[c] * (d.total - d.reporting) / d.total;
    const double yes = d.y_of[c] - expected_yes;
    const double no = (d.n_of[c] - d.y_of[c]) - expected_no;
    pearson += yes * yes / expected_yes + no * no / expected_no;
  }
  return pearson;
}

// Inverse cell proportions, and the part of u_h,c that every respondent of
// a round contributes through −n_h·p_rc (zero unless a cell is empty).
struct Inverses {
  std::vector<double> yes, no, centring;
};

Inverses InversesOf(const Domain& d) {
  Inverses out{std::vector<double>(d.Columns()), std::vector<double>(d.Columns()),
               std::vector<double>(d.Columns())};
  for (std::size_t c = 0; c < d.Columns(); ++c) {
    const double p_yes = d.y_of[c] / d.total;
    const double p_no = (d.n_of[c] - d.y_of[c]) / d.total;
    out.yes[c] = InverseOrZero(p_yes);
    out.no[c] = InverseOrZero(p_no);
    out.centring[c] = p_yes * out.yes[c] - p_no * out.no[c];
  }
  return out;
}

// w_h = C'D⁻¹z_h for every round with respondents (row h of `w`), and
// their mean over all m rounds of the design.
struct ContrastTotals {
  std::vector<double> w, mean;
};

ContrastTotals ContrastTotalsOf(const std::vector<ClusterGroupCount>& counts, const Domain& d,
                                const Inverses& inverse, double m) {
  const std::size_t columns = d.Columns(), clusters = d.Clusters();
  const std::size_t contrasts = columns - 1;
  const std::size_t last = columns - 1;
  std::vector<double> round_n(clusters, 0);
  std::vector<double> u(clusters * columns, 0);
  for (const ClusterGroupCount& count : counts) {
    if (count.n == 0) continue;
    const std::size_t h = d.cluster_index.at(count.cluster);
    const std::size_t c = d.column_of_group[count.group];
    round_n[h] += count.n;
    u[h * columns + c] +=
        (count.y * inverse.yes[c] - (count.n - count.y) * inverse.no[c]) / d.total;
  }
  ContrastTotals out{std::vector<double>(clusters * contrasts), std::vector<double>(contrasts, 0)};
  for (std::size_t h = 0; h < clusters; ++h) {
    const double share_of_total = round_n[h] / d.total;
    auto u_of = [&](std::size_t c) {
      return u[h * columns + c] - share_of_total * inverse.centring[c];
    };
    const double u_last = u_of(last);
    for (std::size_t j = 0; j < contrasts; ++j) {
      out.w[h * contrasts + j] = u_of(j) - u_last;
      out.mean[j] += out.w[h * contrasts + j];
    }
  }
  for (double& mean : out.mean) mean /= m;
  return out;
}

// B = C'D⁻¹VD⁻¹C = m/(m − 1)·(Σ_h (w_h − w̄)(w_h − w̄)' + (m − rounds)·w̄w̄'),
// the rounds without respondents in the domain entering as w_h = 0.
std::vector<double> ContrastCovariance(const ContrastTotals& t, std::size_t clusters,
                                       std::size_t contrasts, double m) {
  std::vector<double> b(contrasts * contrasts, 0);
  std::vector<double> centred(contrasts);
  for (std::size_t h = 0; h < clusters; ++h) {
    for (std::size_t j = 0; j < contrasts; ++j) centred[j] = t.w[h * contrasts + j] - t.mean[j];
    for (std::size_t j = 0; j < contrasts; ++j) {
      for (std::size_t k = 0; k <= j; ++k) b[j * contrasts + k] += centred[j] * centred[k];
    }
  }
  const double empty_rounds = m - static_cast<double>(clusters);
  const double scale = m / (m - 1);
  for (std::size_t j = 0; j < contrasts; ++j) {
    for (std::size_t k = 0; k <= j; ++k) {
      double& entry = b[j * contrasts + k];
      entry = scale * (entry + empty_rounds * t.mean[j] * t.mean[k]);
      b[k * contrasts + j] = entry;
    }
  }
  return b;
}

// The trace of Delta and of its square.
struct Traces {
  double trace = 0, of_square = 0;
};

// Delta = N·(Q + q_L·11')⁻¹·B. By Sherman–Morrison, with g = Q⁻¹1,
// (Q + q_L·11')⁻¹ = Q⁻¹ − κ·g g' where κ = q_L/(1 + q_L·Σg), so
// Delta_jk = N·g_j·(B_jk − κ·(g'B)_k). Every q_c > 0: a tested group has
// respondents, so at least one of its cells is not empty.
Traces DeltaTraces(const std::vector<double>& b, const Inverses& inverse, double total,
                   std::size_t contrasts) {
  const std::size_t last = contrasts;
  std::vector<double> g(contrasts);
  double g_sum = 0;
  for (std::size_t j = 0; j < contrasts; ++j) {
    g[j] = 1 / (inverse.yes[j] + inverse.no[j]);
    g_sum += g[j];
  }
  const double q_last = inverse.yes[last] + inverse.no[last];
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
  Traces out;
  for (std::size_t j = 0; j < contrasts; ++j) {
    out.trace += delta[j * contrasts + j];
    for (std::size_t k = 0; k < contrasts; ++k) {
      out.of_square += delta[j * contrasts + k] * delta[k * contrasts + j];
    }
  }
  return out;
}

}  // namespace

Result<RaoScottResult> RaoScottTest(const std::vector<ClusterGroupCount>& counts,
                                    std::size_t groups, std::size_t design_clusters) {
  SAMKART_ASSIGN_OR_RETURN(const Domain domain, DomainOf(counts, groups, design_clusters));
  RaoScottResult result;
  result.groups = domain.Columns();
  result.clusters = domain.Clusters();
  result.pearson = Pearson(domain);

  const std::size_t contrasts = domain.Columns() - 1;
  const double m = static_cast<double>(design_clusters);
  const Inverses inverse = InversesOf(domain);
  const ContrastTotals totals = ContrastTotalsOf(counts, domain, inverse, m);
  const std::vector<double> b = ContrastCovariance(totals, domain.Clusters(), contrasts, m);
  const Traces traces = DeltaTraces(b, inverse, domain.total, contrasts);
  // Every round with the domain's own mix of answers in every group: no
  // variance to scale X² by (R would report F = ∞ on undefined ndf).
  if (!(traces.trace > 0) || !(traces.of_square > 0)) {
    return Error{"svarene varierer ikke mellom rundene, så forskjellen kan ikke testes"};
  }

  result.f = result.pearson / traces.trace;
  result.ndf = traces.trace * traces.trace / traces.of_square;
  result.ddf = result.ndf * static_cast<double>(domain.Clusters() - 1);
  result.p_value = FUpperTail(result.f, result.ndf, result.ddf);
  result.mean_design_effect = traces.trace / static_cast<double>(contrasts);
  return result;
}

}  // namespace samkart::analysis
