"""Charts of a run, drawn from its saved tables with matplotlib's Agg renderer.

Figures are built as `matplotlib.figure.Figure` objects and rendered to PNG directly, never
through pyplot, so the global backend of a notebook or an application is left untouched.
A chart whose data is empty is skipped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from optimizer.report import derive
from optimizer.report import style as st
from optimizer.results import RunTables

DPI = 110


@dataclass
class Chart:
    """One rendered chart: `name` is the file stem in plots/, `title` its heading in the page."""

    name: str
    title: str
    caption: str
    png: bytes
    key: str = ""  # the sector of a production chart


def _figure(width: float = 11.0, height: float = 5.5, ncols: int = 1, nrows: int = 1) -> tuple[Figure, list[Axes]]:
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False)
    return figure, list(axes.ravel())


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _numbers(ax: Axes) -> None:
    """Headroom above (and below, if negative) the data; plain tick labels with thousands separators."""
    low, high = ax.get_ylim()
    room = 0.04 * (high - low)
    ax.set_ylim(low - room if low < 0 else low, high + room if high > 0 else high)
    span = max(abs(v) for v in ax.get_ylim())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if span >= 20 else f"{v:,.3g}"))


def _years(*frames: pd.DataFrame) -> list[int]:
    return sorted({int(y) for frame in frames for y in frame["year"]})


def _pivot(frame: pd.DataFrame, column: str, value: str, years: list[int]) -> pd.DataFrame:
    """year × `column` sums, every year present, zeros filled."""
    table = frame.pivot_table(index="year", columns=column, values=value, aggfunc="sum", fill_value=0.0)
    return table.reindex(years, fill_value=0.0).astype("float64")


def _bar_width(years: list[int]) -> float:
    return 0.7 * (min(np.diff(years)) if len(years) > 1 else 5)


def _stacked_bars(ax: Axes, table: pd.DataFrame, colours: dict[str, str], labels: dict[str, str], **kw: object) -> None:
    """Stack the columns of a year × item table as bars (negative columns stack downwards)."""
    years = list(table.index)
    up, down = np.zeros(len(years)), np.zeros(len(years))
    for item in table.columns:
        values = table[item].to_numpy()
        bottom = np.where(values >= 0, up, down)
        ax.bar(years, values, bottom=bottom, width=_bar_width(years), color=colours[item], label=labels[item], **kw)
        up, down = up + np.clip(values, 0, None), down + np.clip(values, None, 0)


def _legend(ax: Axes, outside: bool = True, **kw: object) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if outside:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9, **kw)
    else:
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False, fontsize=8, **kw)


def _cap(tables: RunTables) -> pd.Series:
    """A system-wide cap path if the summary records one (`cap`: year → MtCO2/yr)."""
    cap = tables.summary.get("cap") or {}
    return pd.Series({int(y): float(v) for y, v in cap.items() if v is not None}, dtype="float64").sort_index()


def wedges(tables: RunTables) -> tuple[Figure, str] | None:
    """The signature chart: emissions against the 2025 level, the gap split into lever wedges."""
    emissions = derive.total_emissions(tables)
    if emissions.empty:
        return None
    years = sorted(set(emissions.index) | set(tables.abatement["year"]))
    emissions = emissions.reindex(years).interpolate()
    table = _pivot(tables.abatement, "lever", "abatement", years)
    levers = [lever for lever in st.ordered(table.columns, st.LEVERS) if table[lever].abs().max() > 0]
    table = table.reindex(columns=levers, fill_value=0.0)
    gains, losses = table.clip(lower=0), -table.clip(upper=0)
    h = derive.headline(tables)
    figure, (ax,) = _figure(11.5, 6.0)
    x = np.array(years)
    ax.fill_between(x, 0, emissions, color="#e6e6e6", label="Remaining emissions")
    bottom = (emissions - losses.sum(axis=1)).to_numpy()
    for lever in levers:  # gains stack up from (emissions − losses) to the 2025 level
        share = h.lever_shares.get(lever)
        label = st.lever_label(lever) + (f" ({share:.0%} in {h.last_year})" if share is not None else "")
        ax.fill_between(x, bottom, bottom + gains[lever], color=st.lever_colour(lever), label=label, linewidth=0)
        bottom = bottom + gains[lever].to_numpy()
    bottom = (emissions - losses.sum(axis=1)).to_numpy()
    for lever in levers:  # losses: hatched over the base of the stack, up to the emissions line
        if losses[lever].max() > 0:
            top = bottom + losses[lever].to_numpy()
            ax.fill_between(
                x,
                bottom,
                top,
                facecolor="white",
                edgecolor=st.lever_colour(lever),
                hatch="////",
                linewidth=0,
                label=f"{st.lever_label(lever)}: added emissions",
            )
            bottom = top
    ax.plot(x, emissions, color="black", marker="o", linewidth=2, label="Emissions")
    ax.axhline(h.first_emissions, color="black", linestyle="--", linewidth=1, label=f"{h.first_year} level")
    cap = _cap(tables)
    note = ""
    if len(cap):
        ax.scatter(cap.index, cap.to_numpy(), color="#d62728", marker="D", s=45, zorder=5, label="Cap")
    else:
        note = "(the cap path is not recorded in the run folder, so it is not drawn)"
    ax.set_ylim(0, max(h.first_emissions, float(emissions.max())) * 1.05)
    scope = tables.summary.get("scope", "")
    st.decorate(
        ax,
        f"Emissions and abatement by lever, {years[0]}–{years[-1]}",
        st.axis_label(f"CO2 emissions, {scope}", "MtCO2/yr"),
        years,
        note,
    )
    _numbers(ax)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    caption = (
        f"Wedges: the reduction below the {h.first_year} level attributed to each lever (abatement.csv); "
        f"they add up to the gap between the dashed line and the emissions line."
    )
    return figure, caption


def emissions_sector_scope(tables: RunTables) -> tuple[Figure, str] | None:
    """Emissions in scope by sector (left) and by scope with captured CO2 below zero (right)."""
    emissions = tables.emissions
    if emissions.empty:
        return None
    years = _years(emissions)
    figure, (left, right) = _figure(13.0, 5.5, ncols=2)
    sectors = st.ordered(emissions["sector"], st.SECTORS)
    by_sector = _pivot(derive.in_scope(tables), "sector", "value", years).reindex(columns=sectors, fill_value=0.0)
    left.stackplot(
        years,
        by_sector.T.to_numpy(),
        colors=[st.sector_colour(s) for s in sectors],
        labels=[st.sector_name(s) for s in sectors],
    )
    st.decorate(left, "Emissions by sector (in the cap's scope)", st.axis_label("CO2", "MtCO2/yr"), years)
    _numbers(left)
    _legend(left, outside=False, ncol=3)
    scopes = st.ordered(emissions["scope"], st.SCOPES)
    by_scope = _pivot(emissions, "scope", "value", years).reindex(columns=scopes, fill_value=0.0)
    colours = {s: st.SCOPES.get(s, (s, st.spare_colour(s)))[1] for s in scopes}
    labels = {s: st.SCOPES.get(s, (s,))[0] for s in scopes}
    _stacked_bars(right, by_scope, colours, labels)
    right.axhline(0, color="black", linewidth=0.8)
    st.decorate(right, "Emissions by scope; captured CO2 below zero", st.axis_label("CO2", "MtCO2/yr"), years)
    _numbers(right)
    _legend(right, outside=False, ncol=2)
    return figure, (
        "Direct emissions are gross, captured CO2 is below zero; indirect ones come with purchased electricity and "
        "hydrogen."
    )


def production(tables: RunTables, sector: str) -> tuple[Figure, str] | None:
    """Output of each product of one sector, stacked by route (technology)."""
    rows = tables.production[tables.production["sector"] == sector]
    if rows.empty or not rows["value"].abs().sum():
        return None
    years = _years(tables.production)
    products = sorted(rows["commodity"].unique(), key=lambda c: -rows.loc[rows["commodity"] == c, "value"].sum())
    ncols = 1 if len(products) == 1 else 2
    nrows = -(-len(products) // ncols)
    figure, axes = _figure(7.0 * ncols if ncols > 1 else 10.0, 4.6 * nrows, ncols=ncols, nrows=nrows)
    for ax, product in zip(axes, products, strict=False):
        part = rows[rows["commodity"] == product]
        table = _pivot(part, "technology", "value", years)
        table = table.loc[:, table.abs().sum() > 0]
        routes = sorted(table.columns, key=lambda t: -table[t].iloc[0])  # incumbents at the bottom
        colours = [st.ROUTE_PALETTE[i % len(st.ROUTE_PALETTE)] for i in range(len(routes))]
        ax.stackplot(years, table[routes].T.to_numpy(), colors=colours, labels=routes)
        unit = str(part["unit"].iloc[0])
        st.decorate(ax, st.product_name(product), st.axis_label("Output", unit), years)
        _numbers(ax)
        _legend(ax, outside=False, ncol=3)
    for ax in axes[len(products) :]:
        ax.set_visible(False)
    figure.suptitle(f"{st.sector_name(sector)}: production by route", fontsize=14, x=0.01, ha="left")
    return figure, f"Output of each product of the {st.sector_name(sector).lower()} sector by technology."


def capacity_changes(tables: RunTables) -> tuple[Figure, str] | None:
    """New capacity (above zero) and early retirements (below zero) by sector, a panel per unit."""
    capacity = tables.capacity
    if capacity.empty or not (capacity["new"].abs().sum() + capacity["retired"].abs().sum()):
        return None
    years = _years(capacity)
    units = sorted(capacity["unit"].unique(), key=lambda u: -capacity.loc[capacity["unit"] == u, "sector"].nunique())
    figure, axes = _figure(13.0 if len(units) > 1 else 11.0, 5.5, ncols=len(units))
    for ax, unit in zip(axes, units, strict=True):
        part = capacity[capacity["unit"] == unit]
        sectors = st.ordered(part["sector"], st.SECTORS)
        colours = {s: st.sector_colour(s) for s in sectors}
        new = _pivot(part, "sector", "new", years).reindex(columns=sectors, fill_value=0.0)
        retired = -_pivot(part, "sector", "retired", years).reindex(columns=sectors, fill_value=0.0).abs()
        _stacked_bars(ax, new, colours, {s: st.sector_name(s) for s in sectors})
        _stacked_bars(ax, retired, colours, {s: f"_{s}" for s in sectors}, alpha=0.55, hatch="//")
        ax.axhline(0, color="black", linewidth=0.8)
        st.decorate(
            ax,
            f"Capacity changes, {unit}",
            st.axis_label("Capacity", unit),
            years,
            "built (above zero), retired early (below zero, hatched)",
        )
        _numbers(ax)
        _legend(ax, outside=False, ncol=3)
    return figure, "New capacity built at each milestone, and stock retired before the end of its life."


def energy(tables: RunTables) -> tuple[Figure, str] | None:
    """Final energy use by carrier, and the energy converted into hydrogen (if made in the model)."""
    use = derive.energy_pj(tables)
    known = use.dropna(subset=["pj"])
    if known.empty:
        return None
    years = _years(use)
    parts = [("Final energy use by carrier", known[known["final"]])]
    if not known[~known["final"]].empty:
        sectors = ", ".join(st.sector_name(s) for s in sorted(known.loc[~known["final"], "sector"].unique()))
        parts.append((f"Energy converted by {sectors}", known[~known["final"]]))
    figure, axes = _figure(13.0 if len(parts) > 1 else 11.0, 5.5, ncols=len(parts))
    for ax, (title, part) in zip(axes, parts, strict=True):
        carriers = st.ordered(part["carrier"], st.CARRIERS)
        table = _pivot(part, "carrier", "pj", years).reindex(columns=carriers, fill_value=0.0)
        ax.stackplot(
            years,
            table.T.to_numpy(),
            colors=[st.CARRIERS.get(c, st.spare_colour(c)) for c in carriers],
            labels=carriers,
        )
        st.decorate(ax, title, st.axis_label("Energy", "PJ/yr"), years)
        _numbers(ax)
        _legend(ax, outside=False, ncol=3)
    dropped = sorted(set(use.loc[use["pj"].isna(), "commodity"]))
    caption = "Hydrogen is counted at its lower heating value (120 PJ/Mt)."
    if dropped:
        caption += f" Left out (unit not convertible to PJ): {', '.join(dropped)}."
    return figure, caption


def co2_captured(tables: RunTables) -> tuple[Figure, str] | None:
    """CO2 captured by sector per year, and the cumulative amount stored."""
    captured = derive.captured(tables)
    if captured.empty or not captured["value"].sum():
        return None
    years = _years(tables.emissions)
    figure, (left, right) = _figure(13.0, 5.2, ncols=2)
    sectors = st.ordered(captured["sector"], st.SECTORS)
    table = _pivot(captured, "sector", "value", years).reindex(columns=sectors, fill_value=0.0)
    _stacked_bars(left, table, {s: st.sector_colour(s) for s in sectors}, {s: st.sector_name(s) for s in sectors})
    st.decorate(left, "CO2 captured by sector", st.axis_label("CO2 captured", "MtCO2/yr"), years)
    _numbers(left)
    _legend(left, outside=False, ncol=3)
    total = derive.cumulative_by_year(table.sum(axis=1), tables)
    right.plot(years, total.to_numpy(), color=st.lever_colour("ccus"), marker="o", linewidth=2, label="Stored")
    limit = tables.summary.get("injection_limit")
    if isinstance(limit, dict):
        limit = sum(float(v) for v in limit.values())
    if limit is not None:
        right.axhline(float(limit), color="#d62728", linestyle="--", label="Injection limit")
        figure.suptitle("CO2 captured and stored against the injection limit", x=0.01, ha="left", fontsize=14)
    else:
        figure.suptitle(
            "CO2 captured (the injection limit is not in the run tables: captured only)", x=0.01, ha="left", fontsize=14
        )
    st.decorate(right, "Cumulative CO2 captured and stored", st.axis_label("CO2 since the first year", "MtCO2"), years)
    _numbers(right)
    _legend(right, outside=False, ncol=2)
    return figure, "All captured CO2 goes to storage; the running total counts each milestone's years."


def carbon_price(tables: RunTables) -> tuple[Figure, str] | None:
    """The carbon price path by region (the cap's shadow price plus any exogenous price)."""
    prices = tables.carbon_price.dropna(subset=["price"])
    if prices.empty:
        return None
    years = _years(prices)
    figure, (ax,) = _figure(10.0, 5.0)
    for i, (region, part) in enumerate(prices.groupby("region", sort=True)):
        part = part.sort_values("year")
        label = "system-wide cap" if region == "all" else str(region)
        ax.plot(part["year"], part["price"], marker="o", linewidth=2, color=st.ROUTE_PALETTE[i % 14], label=label)
    unit = str(prices["unit"].iloc[0])
    st.decorate(ax, "Carbon price path", st.axis_label("Carbon price", unit), years)
    ax.set_ylim(bottom=min(0.0, float(prices["price"].min())))
    _numbers(ax)
    _legend(ax, outside=False, ncol=4)
    return figure, "The cap's shadow price plus any exogenous carbon price: real, undiscounted, per tCO2 of that year."


def costs(tables: RunTables) -> tuple[Figure, str] | None:
    """Annual undiscounted system cost by component (stacked bars)."""
    frame = tables.costs
    if frame.empty:
        return None
    years = _years(frame)
    unit = str(frame["unit"].iloc[0])
    scale, factor = unit, 1.0
    if unit.startswith("million "):
        scale, factor = "billion " + unit.removeprefix("million "), 1e-3
    components = st.ordered(frame["component"], st.COMPONENTS)
    table = _pivot(frame, "component", "value", years).reindex(columns=components, fill_value=0.0) * factor
    figure, (ax,) = _figure(11.0, 5.5)
    colours = {c: st.component_colour(c) for c in components}
    _stacked_bars(ax, table, colours, {c: st.component_label(c) for c in components})
    st.decorate(ax, "Annual cost by component (undiscounted)", st.axis_label("Cost", f"{scale}/yr"), years)
    _numbers(ax)
    _legend(ax)
    return (
        figure,
        "Each milestone's cost per year; investment is the annualised capital charge of the plants serving it.",
    )


def render_charts(tables: RunTables) -> list[Chart]:
    """Every chart with data, in the order of the report."""
    builders: list[tuple[str, str, str, Callable[[], tuple[Figure, str] | None]]] = [
        ("emissions_wedges", "Emissions and abatement by lever", "", lambda: wedges(tables)),
        ("emissions_by_sector_scope", "Emissions by sector and scope", "", lambda: emissions_sector_scope(tables)),
    ]
    for sector in st.ordered(tables.production["sector"], st.SECTORS):
        builders.append(
            (
                f"production_{_slug(sector)}",
                f"Production: {st.sector_name(sector)}",
                sector,
                lambda sector=sector: production(tables, sector),
            )
        )
    builders += [
        ("capacity_changes", "Capacity additions and early retirements", "", lambda: capacity_changes(tables)),
        ("energy_by_carrier", "Energy use by carrier", "", lambda: energy(tables)),
        ("co2_captured_stored", "CO2 captured and stored", "", lambda: co2_captured(tables)),
        ("carbon_price", "Carbon price", "", lambda: carbon_price(tables)),
        ("costs_by_component", "Cost by component", "", lambda: costs(tables)),
    ]
    charts = []
    for name, title, key, build in builders:
        made = build()
        if made is not None:
            figure, caption = made
            charts.append(Chart(name, title, caption, _png(figure), key))
    return charts


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "sector"


def write_plots(tables: RunTables, folder: str | Path) -> list[Chart]:
    """Write every chart as `folder/plots/<name>.png` (old PNGs there are removed first)."""
    plots = Path(folder) / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    for old in plots.glob("*.png"):
        old.unlink()
    charts = render_charts(tables)
    for chart in charts:
        (plots / f"{chart.name}.png").write_bytes(chart.png)
    return charts
