"""Synthetic multi-region instances: the default dataset replicated to N regions.

Region i gets a share w_i of every demand and of every base-year stock (w drawn once from a
seeded Dirichlet, so regions differ but the system total equals the original), its own copy
of prices, bounds and limits (absolute limits such as supply caps and storage are shared out
by the same w_i), and the scenario's system-wide cap stays as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = (
    "dataset.toml",
    "sources.csv",
    "commodities.csv",
    "technologies.csv",
    "tech_flows.csv",
    "tech_costs.csv",
    "tech_emissions.csv",
    "emission_limits.csv",
)
SCALED = {  # table: columns scaled by the region's share
    "demand.csv": ["value"],
    "stock.csv": ["capacity"],
    "commodity_prices.csv": ["max_supply"],
    "bounds.csv": [],
    "cumulative_limits.csv": ["max_total"],
}
ABSOLUTE_BOUNDS = {"max_capacity", "min_capacity", "max_new_capacity", "growth_seed"}


def replicate(source: Path, target: Path, regions: int, seed: int = 1) -> Path:
    """Write a copy of the dataset at `source` with `regions` regions to `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in SHARED:
        if (source / name).exists():
            shutil.copy(source / name, target / name)
    shares = np.random.default_rng(seed).dirichlet(np.full(regions, 4.0)) if regions > 1 else np.ones(1)
    for name, columns in SCALED.items():
        path = source / name
        if not path.exists():
            continue
        table = pd.read_csv(path, dtype={"source": str})
        copies = []
        for number, share in enumerate(shares, start=1):
            copy = table.copy()
            copy["region"] = f"R{number:02d}" if regions > 1 else copy["region"]
            for column in columns:
                copy[column] = copy[column] * share
            if name == "bounds.csv":
                absolute = copy["bound"].isin(ABSOLUTE_BOUNDS)
                copy.loc[absolute, "value"] = copy.loc[absolute, "value"] * share
            copies.append(copy)
        pd.concat(copies).to_csv(target / name, index=False)
    return target
