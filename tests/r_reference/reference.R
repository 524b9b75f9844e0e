# Independent reference for Samkart's analysis engine: reported shares, Wilson
# intervals and Newcombe differences computed with R's survey package from the
# harmonised CSV export (`samkart export --format csv`).
#
#   Rscript tests/r_reference/reference.R EXPORT.csv SPEC.csv RESULT.csv
#
# SPEC.csv has one indicator per line (comma separated, no quoting):
#   id                        a name for the indicator
#   kind                      share | difference
#   column                    the item's column in the export, family_item
#   answer_codes              the scale's answer codes, e.g. 1|2|3|4|5
#   dont_know_code            the «vet ikke» code (9), or empty when the scale has none
#   dont_know_in_denominator  1 if «vet ikke» stays in the denominator, else 0
#   reported                  the codes of the reported share, e.g. 4|5
#   by                        a breakdown column (tjeneste, storrelse …) or none
#   filter                    rows counted: empty, or COLUMN=V1|V2 joined by ';'
#   filter2                   difference only: the reference side's rows
#
# RESULT.csv has one line per indicator and group («total», then each value
# of the breakdown column present among the rows in the denominator):
#   id, group, n, count            the denominator and the reported answers
#   share, se                      svymean of the 0/1 indicator and its SE
#   low, high                      the plain Wilson score interval (the reference)
#   formula_low, formula_high      the same from the closed formula (a check)
#   svy_low, svy_high              svyciprop(method = "wilson") when the installed
#                                  survey package has it, else NA
#   neff_low, neff_high            Wilson with the design's effective n (see below)
# and for differences also, for the reference side and p1 - p2:
#   n2, count2, share2, low2, high2, diff, diff_low, diff_high
#
# Why the plain formula and not svyciprop for the bounds: survey 4.1.1 (Debian
# 12) has no method "wilson" in svyciprop at all (logit, likelihood, asin,
# beta, mean, xlogit). Newer versions that have it, and any design-based
# Wilson interval, put the effective sample size n_eff = p(1 - p) / var(p)
# into the formula, where var(p) is svymean's variance. For a simple random
# sample without a finite population correction that variance is
# p(1 - p) / (n - 1) (the sample variance divides by n - 1), so n_eff = n - 1
# and the interval is slightly wider than Wilson's: the neff_* columns show
# that interval, which differs from the plain one in the fourth or fifth
# decimal for the group sizes here. Samkart reports the plain Wilson score
# interval with n, so the reference for the bounds is prop.test(x, n,
# correct = FALSE)$conf.int, which is exactly Wilson's score interval, and
# the script stops if that and the closed formula ever disagree.

suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  stop("bruk: Rscript reference.R EXPORT.csv SPEC.csv RESULT.csv")
}
z <- qnorm(0.975)

data <- read.csv(args[1], na.strings = "", check.names = FALSE, stringsAsFactors = FALSE,
                 encoding = "UTF-8")
spec <- read.csv(args[2], na.strings = character(0), colClasses = "character",
                 check.names = FALSE)

codes <- function(text) {
  if (is.na(text) || text == "") integer(0) else as.integer(strsplit(text, "|", fixed = TRUE)[[1]])
}

# Rows matching "COLUMN=V1|V2;COLUMN=V".
filter_rows <- function(text) {
  keep <- rep(TRUE, nrow(data))
  if (is.na(text) || text == "") return(keep)
  for (clause in strsplit(text, ";", fixed = TRUE)[[1]]) {
    parts <- strsplit(clause, "=", fixed = TRUE)[[1]]
    if (length(parts) != 2 || !(parts[1] %in% names(data))) stop("ugyldig filter: ", clause)
    keep <- keep & !is.na(data[[parts[1]]]) & data[[parts[1]]] %in% codes(parts[2])
  }
  keep
}

# Closed-form Wilson score interval for x of n.
wilson <- function(x, n) {
  p <- x / n
  centre <- (p + z^2 / (2 * n)) / (1 + z^2 / n)
  half <- z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2)) / (1 + z^2 / n)
  c(max(0, centre - half), min(1, centre + half))
}

has_svy_wilson <- "wilson" %in% eval(formals(svyciprop)$method)

# One side of an indicator: the rows in the denominator, estimated with the
# survey package as a simple random sample.
estimate <- function(subset) {
  n <- nrow(subset)
  count <- sum(subset$y)
  design <- suppressWarnings(svydesign(ids = ~1, data = subset))
  m <- svymean(~y, design)
  share <- unname(coef(m)[1])
  se <- unname(SE(m)[1])
  plain <- suppressWarnings(prop.test(count, n, correct = FALSE)$conf.int)
  formula <- wilson(count, n)
  if (max(abs(plain - formula)) > 1e-12) {
    stop(sprintf("prop.test og Wilson-formelen er uenige for %d av %d", count, n))
  }
  if (abs(share - count / n) > 1e-12) stop("svymean er ikke count/n")
  svy <- c(NA_real_, NA_real_)
  if (has_svy_wilson) {
    svy <- as.numeric(attr(svyciprop(~y, design, method = "wilson"), "ci"))
  }
  neff <- c(NA_real_, NA_real_)
  if (n > 1 && se > 0) {
    n_eff <- share * (1 - share) / se^2
    neff <- wilson(share * n_eff, n_eff)
  }
  list(n = n, count = count, share = share, se = se, low = plain[1], high = plain[2],
       formula_low = formula[1], formula_high = formula[2], svy_low = svy[1], svy_high = svy[2],
       neff_low = neff[1], neff_high = neff[2])
}

results <- list()
for (i in seq_len(nrow(spec))) {
  s <- spec[i, ]
  column <- s$column
  if (!(column %in% names(data))) stop("ukjent kolonne: ", column)
  answers <- codes(s$answer_codes)
  dont_know <- codes(s$dont_know_code)
  valid <- c(answers, if (s$dont_know_in_denominator == "1") dont_know)
  values <- data[[column]]
  stray <- setdiff(unique(values[!is.na(values)]), c(answers, dont_know))
  if (length(stray) > 0) stop(column, " har koder utenfor skalaen: ", paste(stray, collapse = " "))
  in_denominator <- !is.na(values) & values %in% valid
  y <- as.numeric(values %in% codes(s$reported))

  side <- function(filter) {
    keep <- filter_rows(filter) & in_denominator
    subset <- data.frame(y = y[keep])
    if (s$by != "none") subset$group <- data[[s$by]][keep]
    subset
  }
  first <- side(s$filter)
  second <- if (s$kind == "difference") side(s$filter2) else NULL

  groups <- list(total = NULL)
  if (s$by != "none") {
    present <- sort(unique(c(first$group, if (!is.null(second)) second$group)))
    for (g in present) groups[[as.character(g)]] <- g
  }
  for (name in names(groups)) {
    pick <- function(d) if (name == "total") d else d[!is.na(d$group) & d$group == groups[[name]], ]
    a <- pick(first)
    if (nrow(a) == 0) next
    row <- c(list(id = s$id, group = name), estimate(a))
    if (s$kind == "difference") {
      b <- pick(second)
      if (nrow(b) == 0) next
      e <- estimate(b)
      d <- row$share - e$share
      row <- c(row, list(n2 = e$n, count2 = e$count, share2 = e$share, low2 = e$low,
                         high2 = e$high, diff = d,
                         # Newcombe (1998), method 10: the hybrid score interval
                         # from the two Wilson intervals.
                         diff_low = d - sqrt((row$share - row$low)^2 + (e$high - e$share)^2),
                         diff_high = d + sqrt((row$high - row$share)^2 + (e$share - e$low)^2)))
    } else {
      row <- c(row, list(n2 = NA, count2 = NA, share2 = NA, low2 = NA, high2 = NA, diff = NA,
                         diff_low = NA, diff_high = NA))
    }
    results[[length(results) + 1]] <- row
  }
}

out <- do.call(rbind, lapply(results, function(r) {
  as.data.frame(lapply(r, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v),
                stringsAsFactors = FALSE)
}))
out[out == "NA"] <- ""
write.csv(out, args[3], row.names = FALSE, quote = FALSE, na = "")
cat(sprintf("%d celler; svyciprop wilson %s; største avvik Wilson med n_eff mot vanlig: %.3g\n",
            nrow(out), if (has_svy_wilson) "finnes" else "finnes ikke i denne survey-versjonen",
            max(abs(as.numeric(c(out$neff_low, out$neff_high)) -
                    as.numeric(c(out$low, out$high))), na.rm = TRUE)))
if (has_svy_wilson) {
  cat(sprintf("største avvik svyciprop wilson mot vanlig Wilson: %.3g\n",
              max(abs(as.numeric(c(out$svy_low, out$svy_high)) -
                      as.numeric(c(out$low, out$high))), na.rm = TRUE)))
}
