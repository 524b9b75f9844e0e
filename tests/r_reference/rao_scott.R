# Reference for Samkart's test of differences between groups
# (src/samkart/analysis/rao_scott.h): the survey package's Rao–Scott F test,
# svychisq(statistic = "F"), on a design whose clusters are the survey rounds.
#
#   Rscript tests/r_reference/rao_scott.R IN.csv OUT.csv
#
# IN.csv has a header and one line per respondent:
#   case       which data set the respondent belongs to; each is tested alone
#   round      the survey round, the cluster
#   group      the group of the breakdown
#   y          1 if the respondent reports, else 0
#   in_domain  1 if the respondent is in the item's denominator (and filter)
#
# The design is built on all rows of a case and then subset to the domain,
# as Samkart's tables are: the variance then still counts every round of the
# design (survey keeps fpc$sampsize per row), while the denominator degrees
# of freedom count only the rounds with respondents in the domain.
#
# OUT.csv has a header and one line per case, numbers printed with
# sprintf("%.17g"):
#   case, pearson, f, ndf, ddf, p   X² (statistic = "Chisq"), then the F test
#   rows                            respondents in the domain (svychisq's N)
#   rounds                          rounds with respondents in the domain (nu + 1)
#   design_rounds                   rounds in the whole design (the variance's m)
#   groups                          groups with respondents in the domain

suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
  stop("bruk: Rscript rao_scott.R IN.csv OUT.csv")
}

rows <- read.csv(args[1])
exact <- function(x) sprintf("%.17g", x)

results <- lapply(split(rows, rows$case), function(all_rows) {
  # No weights: every respondent counts once (survey says so in a warning).
  design <- suppressWarnings(svydesign(ids = ~round, data = all_rows))
  domain <- subset(design, in_domain == 1)
  test <- svychisq(~y + group, domain, statistic = "F")
  pearson <- svychisq(~y + group, domain, statistic = "Chisq")$statistic
  data.frame(case = all_rows$case[1],
             pearson = exact(pearson),
             f = exact(test$statistic),
             ndf = exact(test$parameter[["ndf"]]),
             ddf = exact(test$parameter[["ddf"]]),
             p = exact(test$p.value),
             rows = nrow(domain$variables),
             rounds = length(unique(domain$cluster[, 1])),
             design_rounds = domain$fpc$sampsize[1, 1],
             groups = length(unique(domain$variables$group)))
})
write.csv(do.call(rbind, results), args[2], row.names = FALSE, quote = FALSE)
