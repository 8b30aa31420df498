"""HiGHS: the only package that talks to the solver.

- `handoff`: a Pyomo model → its standard form as a `highspy.HighsLp`, with the key of each
  column and row (the only module here that imports Pyomo);
- `lp`: the LP as plain arrays (`LpSnapshot`), picklable, for processes that never build it;
- `session`: `HighsSession`, one `highspy.Highs` object over an LP — options, solve and
  re-solve, statuses, cost and row changes, names, MPS files, IIS — made `from_model` or
  `from_snapshot`;
- `solution`: what a solve returned (`SolveResult`), read by component name and index.
"""
