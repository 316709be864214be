/* SPDX-License-Identifier: MIT
 * One-compartment oral model for deSolve's compiled-code interface (vignette "compiledCode"), used by
 * bench/peers/population_desolve.R. States: y[0] = depot [mg], y[1] = central [mg]; parms = (KA, k = CL/V).
 * Doses are deSolve events (a data.frame, method "add" on the depot), not part of this file.
 * Built at run time with `R CMD SHLIB` (needs r-base-dev and a C compiler); nothing here is benzosim's. */
#include <R.h>

static double parms[2];
#define ka parms[0]
#define k parms[1]

/* Called by deSolve with the parms vector of the R call. */
void initmod(void (*odeparms)(int *, double *)) {
  int n = 2;
  odeparms(&n, parms);
}

/* Right-hand side; no output variables (nout = 0). */
void derivs(int *neq, double *t, double *y, double *ydot, double *yout, int *ip) {
  (void)neq; (void)t; (void)yout; (void)ip;
  ydot[0] = -ka * y[0];
  ydot[1] = ka * y[0] - k * y[1];
}

/* Full Jacobian, column-major: pd[i + j * nrowpd] = d ydot[i] / d y[j] (jactype = "fullusr"). */
void jac(int *neq, double *t, double *y, int *ml, int *mu, double *pd, int *nrowpd, double *yout, int *ip) {
  (void)neq; (void)t; (void)y; (void)ml; (void)mu; (void)yout; (void)ip;
  pd[0] = -ka;
  pd[1] = ka;
  pd[*nrowpd] = 0.0;
  pd[*nrowpd + 1] = -k;
}
