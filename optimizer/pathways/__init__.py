"""Studies that compare or re-solve pathways.

- `compare`: saved runs side by side (`compare_runs`; the alignment is in `align`, the page in
  `optimizer.report.compare`);
- `mga`: near-optimal alternatives within a cost slack (`run_mga`);
- `macc`: a ladder of final-year caps and the carbon price each needs (`run_macc`).
"""
