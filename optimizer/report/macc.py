"""The chart of a marginal abatement cost curve (`optimizer macc`'s macc.png), from macc.csv's table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from optimizer.report import figures as fg
from optimizer.report import style as st


def cap_label(cap: float) -> str:
    """A cap as written in folder names and on the chart: 450, 0.5."""
    return f"{cap:g}"


def macc_chart(table: pd.DataFrame, price_unit: str = "currency/tCO2") -> bytes:
    """PNG: carbon price against final-year abatement (caps labelled), and lever wedges per cap."""
    with fg.style():
        return fg.png(_draw(table, price_unit))


def _draw(table: pd.DataFrame, price_unit: str) -> Figure:
    solved = table[table["status"] == "optimal"].sort_values("cap", ascending=False)
    figure = Figure(figsize=(12.5, 5.0), dpi=fg.DPI, layout="constrained")
    curve, wedges = figure.subplots(1, 2)
    year = int(table["year"].iloc[0]) if len(table) else 0
    if len(solved):
        curve.step(solved["abatement"], solved["carbon_price"], where="pre", color="#444444", linewidth=1.2)
        curve.plot(solved["abatement"], solved["carbon_price"], "o", color="#d62728")
        for row in solved.itertuples():
            curve.annotate(f"cap {row.cap:,g}", (row.abatement, row.carbon_price), textcoords="offset points",
                           xytext=(6, -12), fontsize=9)  # fmt: skip
        labels = [f"{cap:,g}" for cap in solved["cap"]]
        x = np.arange(len(labels))
        up, down = np.zeros(len(labels)), np.zeros(len(labels))
        for lever in [lever for lever in st.LEVERS if lever in solved]:
            values = solved[lever].to_numpy(dtype=float)
            wedges.bar(x, values, bottom=np.where(values >= 0, up, down), color=st.lever_colour(lever),
                       label=st.lever_label(lever), width=0.65)  # fmt: skip
            up, down = up + np.clip(values, 0, None), down + np.clip(values, None, 0)
        wedges.set_xticks(x, labels)
        wedges.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    st.decorate(curve, f"Carbon price against abatement, {year}", st.axis_label("Carbon price", price_unit))
    curve.set_xlabel(f"Abatement in {year} against the first year (MtCO2/yr)")
    st.decorate(wedges, f"Abatement by lever in {year}, per cap", "MtCO2/yr")
    wedges.set_xlabel(f"Cap on {year} emissions (MtCO2/yr)")
    fg.thousands(curve)
    fg.thousands(curve, "x")
    fg.thousands(wedges)
    return figure
