# Reference values for Samkart's distribution functions
# (src/samkart/analysis/distributions.h) from R's own pt, qt, pf and pbeta.
#
#   Rscript tests/r_reference/distributions.R GRID.csv RESULT.txt
#
# GRID.csv has no header and one evaluation per line: the function and its
# three arguments, in R's argument order:
#   pt,t,df,0          P(T <= t)
#   qt,p,df,0          the p-quantile of t
#   pf,f,df1,df2       P(F > f), lower.tail = FALSE
#   pbeta,x,a,b        I_x(a, b)
# RESULT.txt has one value per line, in the same order, printed with
# sprintf("%.17g") so that a double survives the round trip exactly.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
  stop("bruk: Rscript distributions.R GRID.csv RESULT.txt")
}

grid <- read.csv(args[1], header = FALSE, colClasses = c("character", "numeric", "numeric",
                                                          "numeric"),
                 col.names = c("fun", "u", "v", "w"))
value <- function(fun, u, v, w) {
  switch(fun,
         pt = pt(u, v),
         qt = qt(u, v),
         pf = pf(u, v, w, lower.tail = FALSE),
         pbeta = pbeta(u, v, w),
         stop("ukjent funksjon: ", fun))
}
values <- mapply(value, grid$fun, grid$u, grid$v, grid$w, USE.NAMES = FALSE)
writeLines(sprintf("%.17g", values), args[2])
