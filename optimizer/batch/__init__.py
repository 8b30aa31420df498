"""Batches and sensitivity sweeps: designs, parallel execution, a resumable store, analysis."""
