# Independent reference for Samkart's analysis engine: reported shares, their
# intervals and the intervals of differences, computed with R's survey
# package from the harmonised CSV export (`samkart export --format csv`).
#
#   Rscript tests/r_reference/reference.R EXPORT.csv SPEC.csv RESULT.csv
#
# SPEC.csv has one indicator per line (comma separated, no quoting):
#   id                        a name for the indicator
#   kind                      share | difference | chisq (is there any difference
#                             across the breakdown: svychisq(~y + by, statistic = "F"))
#   column                    the item's column in the export, family_item
#   answer_codes              the scale's answer codes, e.g. 1|2|3|4|5
#   dont_know_code            the «vet ikke» code (9), or empty when the scale has none
#   dont_know_in_denominator  1 if «vet ikke» stays in the denominator, else 0
#   reported                  the codes of the reported share, e.g. 4|5
#   by                        a breakdown column (tjeneste, storrelse …) or none
#   filter                    rows counted: empty, or COLUMN=V1|V2 joined by ';'
#   filter2                   difference only: the reference side's rows
#   exclude                   difference only: rows taken out of the reference
#                             side (the rest of the nation or of the size
#                             group): empty, COLUMN=V, or «group» for the
#                             row's own value of the breakdown
#
# The design. Respondents come in survey rounds (municipality × year × round
# type), the round is the cluster: svydesign(ids = ~round) over every row of
# the export, no weights. A cell is a domain of that design (design[keep, ]),
# so the variance uses all rounds of the survey in its m/(m − 1) factor and
# the degrees of freedom are the domain's rounds − 1, as svymean and
# svyciprop do on a subset.
#
# The interval of a cell. Pooled over two or more municipalities, with a
# share strictly between 0 and 1: svyciprop(method = "xlogit"), the interval
# for logit(p) from svymean's linearised variance with Student's t on the
# domain's degrees of freedom, back-transformed. (method = "logit" fits the
# same interval through svyglm, and agrees to the glm's convergence
# tolerance; xlogit is the closed form.) Inside one municipality, or at 0 %
# or 100 %: Wilson's score interval, prop.test(x, n, correct = FALSE), which
# the script checks against the closed formula.
#
# RESULT.csv has one line per indicator and group («total», then each value
# of the breakdown column present among the rows in the denominator):
#   id, group, n, count            the denominator and the reported answers
#   share, se                      svymean of the 0/1 indicator in the design and its SE
#   method                         design | wilson
#   low, high                      the interval described above
#   deff                           design effect, se² / (p(1 − p)/n), design cells only
# and for differences also, for the reference side and p1 − p2 with the
# MOVER (square-and-add) interval from the two intervals:
#   n2, count2, share2, se2, method2, low2, high2, diff, diff_low, diff_high
# A chisq indicator has one line, group «test», with the Rao–Scott F, its
# degrees of freedom and p-value: f, ndf, ddf, p.

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
data$round <- paste(data$kommune, data$aar, data$runde)

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

# One side of an indicator: the rows `keep` of the design.
estimate <- function(design, keep) {
  n <- sum(keep)
  count <- sum(design$variables$y[keep])
  domain <- design[keep, ]
  m <- svymean(~y, domain)
  share <- unname(coef(m)[1])
  se <- unname(SE(m)[1])
  if (abs(share - count / n) > 1e-12) stop("svymean er ikke count/n")
  municipalities <- length(unique(data$kommune[keep]))
  pooled <- municipalities >= 2 && count > 0 && count < n
  if (pooled) {
    ci <- as.numeric(attr(svyciprop(~y, domain, method = "xlogit"), "ci"))
    method <- "design"
    deff <- se^2 / (share * (1 - share) / n)
  } else {
    ci <- suppressWarnings(prop.test(count, n, correct = FALSE)$conf.int)
    if (max(abs(ci - wilson(count, n))) > 1e-12) {
      stop(sprintf("prop.test og Wilson-formelen er uenige for %d av %d", count, n))
    }
    method <- "wilson"
    deff <- NA_real_
  }
  list(n = n, count = count, share = share, se = se, method = method, low = ci[1], high = ci[2],
       deff = deff)
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
  design <- suppressWarnings(
    svydesign(ids = ~round, data = cbind(data, y = as.numeric(values %in% codes(s$reported)))))

  if (s$kind == "chisq") {
    keep <- filter_rows(s$filter) & in_denominator
    test <- svychisq(as.formula(paste0("~y + ", s$by)), design[keep, ], statistic = "F")
    results[[length(results) + 1]] <- list(
      id = s$id, group = "test", n = sum(keep), count = sum(design$variables$y[keep]),
      share = NA, se = NA, method = "", low = NA, high = NA, deff = NA, n2 = NA, count2 = NA,
      share2 = NA, se2 = NA, method2 = "", low2 = NA, high2 = NA, diff = NA, diff_low = NA,
      diff_high = NA, f = unname(test$statistic), ndf = unname(test$parameter[1]),
      ddf = unname(test$parameter[2]), p = unname(test$p.value))
    next
  }
  first <- filter_rows(s$filter) & in_denominator
  second <- if (s$kind == "difference") filter_rows(s$filter2) & in_denominator else NULL
  group_values <- if (s$by != "none") data[[s$by]] else NULL

  groups <- list(total = NULL)
  if (s$by != "none") {
    present <- sort(unique(group_values[first | (if (is.null(second)) FALSE else second)]))
    for (g in present) groups[[as.character(g)]] <- g
  }
  for (name in names(groups)) {
    in_group <- if (name == "total") rep(TRUE, nrow(data)) else
      !is.na(group_values) & group_values == groups[[name]]
    a <- first & in_group
    if (sum(a) == 0) next
    row <- c(list(id = s$id, group = name), estimate(design, a))
    if (s$kind == "difference") {
      b <- second & in_group
      if (!is.na(s$exclude) && s$exclude == "group") {
        # Against the rest: every other group of the breakdown.
        b <- second & !in_group
        if (name == "total") b <- rep(FALSE, nrow(data))
      } else if (!is.na(s$exclude) && s$exclude != "") {
        b <- b & !filter_rows(s$exclude)
      }
      if (sum(b) == 0) next
      e <- estimate(design, b)
      d <- row$share - e$share
      row <- c(row, list(n2 = e$n, count2 = e$count, share2 = e$share, se2 = e$se,
                         method2 = e$method, low2 = e$low, high2 = e$high, diff = d,
                         # MOVER: Newcombe's square-and-add from the two intervals.
                         diff_low = d - sqrt((row$share - row$low)^2 + (e$high - e$share)^2),
                         diff_high = d + sqrt((row$high - row$share)^2 + (e$share - e$low)^2)))
    } else {
      row <- c(row, list(n2 = NA, count2 = NA, share2 = NA, se2 = NA, method2 = "", low2 = NA,
                         high2 = NA, diff = NA, diff_low = NA, diff_high = NA))
    }
    results[[length(results) + 1]] <- c(row, list(f = NA, ndf = NA, ddf = NA, p = NA))
  }
}

out <- do.call(rbind, lapply(results, function(r) {
  as.data.frame(lapply(r, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v),
                stringsAsFactors = FALSE)
}))
out[out == "NA"] <- ""
write.csv(out, args[3], row.names = FALSE, quote = FALSE, na = "")
deffs <- as.numeric(out$deff[out$method == "design"])
out$method2[is.na(out$method2)] <- ""
cat(sprintf("%d celler, %d design-baserte; designeffekt %.2f–%.2f (median %.2f)\n", nrow(out),
            sum(out$method == "design") + sum(out$method2 == "design"), min(deffs), max(deffs),
            median(deffs)))
