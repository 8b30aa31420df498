"""Charts of a run, drawn from its saved tables with matplotlib's Agg renderer.

Figures are built as `matplotlib.figure.Figure` objects and rendered to PNG directly, never
through pyplot, so the global backend of a notebook or an application is left untouched. Every
chart is drawn in one style at fixed margins (`optimizer.report.figures`). A chart whose data is
empty is skipped. Technologies are shown by their `label` from technologies.csv, which the
summary carries as `labels` (technology → label); a technology without one shows its name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from optimizer.report import derive
from optimizer.report import figures as fg
from optimizer.report import style as st
from optimizer.report.chart import Chart
from optimizer.report.drawing import Builder, draw_charts
from optimizer.results import RunTables

__all__ = ["Chart", "render_charts", "write_plots"]


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


def _cap(tables: RunTables) -> pd.Series:
    """A system-wide cap path if the summary records one (`cap`: year → MtCO2/yr)."""
    cap = tables.summary.get("cap") or {}
    return pd.Series({int(y): float(v) for y, v in cap.items() if v is not None}, dtype="float64").sort_index()


def technology_label(tables: RunTables) -> Callable[[str], str]:
    """technology → the name charts show: its label from technologies.csv (summary `labels`),
    else the technology's own name."""
    labels = tables.summary.get("labels") or {}
    return lambda technology: str(labels.get(technology) or technology)


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
    cap = _cap(tables)
    labels = {lever: st.lever_label(lever) for lever in levers}
    for lever in levers:
        share = h.lever_shares.get(lever)
        labels[lever] += f" ({share:.0%} in {h.last_year})" if share is not None else ""
    every = [
        *labels.values(),
        *(f"{st.lever_label(lever)}: added emissions" for lever in levers),
        "Remaining emissions",
    ]
    note = "" if len(cap) else "(the cap path is not recorded in the run folder, so it is not drawn)"
    layout = fg.grid(12.0, 5.0, title_lines=2 if note else 1, right=fg.legend_width(every))
    ax = layout.axes[0]
    x = np.array(years)
    ax.fill_between(x, 0, emissions, color="#e6e6e6", label="Remaining emissions")
    bottom = (emissions - losses.sum(axis=1)).to_numpy()
    for lever in levers:  # gains stack up from (emissions − losses) to the 2025 level
        ax.fill_between(
            x, bottom, bottom + gains[lever], color=st.lever_colour(lever), label=labels[lever], linewidth=0
        )
        bottom = bottom + gains[lever].to_numpy()
    bottom = (emissions - losses.sum(axis=1)).to_numpy()
    for lever in levers:  # losses: hatched over the base of the stack, up to the emissions line
        if losses[lever].max() > 0:
            top = bottom + losses[lever].to_numpy()
            ax.fill_between(x, bottom, top, facecolor="white", edgecolor=st.lever_colour(lever), hatch="////",
                            linewidth=0, label=f"{st.lever_label(lever)}: added emissions")  # fmt: skip
            bottom = top
    ax.plot(x, emissions, color="black", marker="o", linewidth=2, label="Emissions")
    ax.axhline(h.first_emissions, color="black", linestyle="--", linewidth=1, label=f"{h.first_year} level")
    if len(cap):
        ax.scatter(cap.index, cap.to_numpy(), color="#d62728", marker="D", s=45, zorder=5, label="Cap")
    ax.set_ylim(0, max(h.first_emissions, float(emissions.max())) * 1.05)
    scope = tables.summary.get("scope", "")
    st.decorate(ax, f"Emissions and abatement by lever, {years[0]}–{years[-1]}",
                st.axis_label(f"CO2 emissions, {scope}", "MtCO2/yr"), years, note)  # fmt: skip
    fg.thousands(ax)
    handles, names = ax.get_legend_handles_labels()
    layout.legend_right(ax, handles[::-1], names[::-1])
    caption = (
        f"Wedges: the reduction below the {h.first_year} level attributed to each lever (abatement.csv); "
        f"they add up to the gap between the dashed line and the emissions line."
    )
    return layout.figure, caption


def emissions_sector_scope(tables: RunTables) -> tuple[Figure, str] | None:
    """Emissions in scope by sector (left) and by scope with captured CO2 below zero (right)."""
    emissions = tables.emissions
    if emissions.empty:
        return None
    years = _years(emissions)
    sectors = st.ordered(emissions["sector"], st.SECTORS)
    scopes = st.ordered(emissions["scope"], st.SCOPES)
    scope_labels = {s: st.SCOPES.get(s, (s,))[0] for s in scopes}
    width, panel = 13.0, (13.0 - 1.0 - 0.25 - 1.0) / 2
    left_columns, left_rows = fg.legend_columns([st.sector_name(s) for s in sectors], panel)
    right_columns, right_rows = fg.legend_columns(list(scope_labels.values()), panel)
    layout = fg.grid(width, 4.3, ncols=2, below=max(left_rows, right_rows))
    left, right = layout.axes
    by_sector = _pivot(derive.in_scope(tables), "sector", "value", years).reindex(columns=sectors, fill_value=0.0)
    left.stackplot(years, by_sector.T.to_numpy(), colors=[st.sector_colour(s) for s in sectors],
                   labels=[st.sector_name(s) for s in sectors])  # fmt: skip
    st.decorate(left, "Emissions by sector (in the cap's scope)", st.axis_label("CO2", "MtCO2/yr"), years)
    fg.thousands(left)
    layout.legend_below(left, left_columns)
    by_scope = _pivot(emissions, "scope", "value", years).reindex(columns=scopes, fill_value=0.0)
    colours = {s: st.SCOPES.get(s, (s, st.spare_colour(s)))[1] for s in scopes}
    _stacked_bars(right, by_scope, colours, scope_labels)
    right.axhline(0, color="black", linewidth=0.8)
    st.decorate(right, "Emissions by scope; captured CO2 below zero", st.axis_label("CO2", "MtCO2/yr"), years)
    fg.thousands(right)
    layout.legend_below(right, right_columns)
    return layout.figure, (
        "Direct emissions are gross, captured CO2 is below zero; indirect ones come with purchased electricity and "
        "hydrogen."
    )


def production(tables: RunTables, sector: str) -> tuple[Figure, str] | None:
    """Output of each product of one sector, stacked by route (technology)."""
    rows = tables.production[tables.production["sector"] == sector]
    if rows.empty or not rows["value"].abs().sum():
        return None
    years = _years(tables.production)
    totals = rows.groupby("commodity")["value"].sum()
    products = sorted(totals.index, key=lambda c: -totals[c])
    shown = technology_label(tables)
    panels = []
    for product in products:
        part = rows[rows["commodity"] == product]
        table = _pivot(part, "technology", "value", years)
        table = table.loc[:, table.abs().sum() > 0]
        routes = sorted(table.columns, key=lambda t: -table[t].iloc[0])  # incumbents at the bottom
        panels.append((product, table[routes], str(part["unit"].iloc[0])))
    ncols = 1 if len(products) == 1 else 2
    nrows = -(-len(products) // ncols)
    width = 11.0 if ncols == 1 else 13.0
    panel_width = (width - 1.25 - (ncols - 1) * 1.0) / ncols
    legends = [fg.legend_columns([shown(t) for t in table.columns], panel_width) for _, table, _ in panels]
    title = f"{st.sector_name(sector)}: production by route"
    single = len(products) == 1
    layout = fg.grid(width, 4.0, ncols, nrows, suptitle="" if single else title,
                     below=max(rows for _, rows in legends))  # fmt: skip
    for ax, (product, table, unit), (columns, _) in zip(layout.axes, panels, legends, strict=False):
        colours = [st.ROUTE_PALETTE[i % len(st.ROUTE_PALETTE)] for i in range(len(table.columns))]
        ax.stackplot(years, table.T.to_numpy(), colors=colours, labels=[shown(t) for t in table.columns])
        heading = title if single else st.product_name(product)
        if single and st.product_name(product) != st.sector_name(sector):
            heading += f" ({st.product_name(product)})"
        st.decorate(ax, heading, st.axis_label("Output", unit), years)
        fg.thousands(ax)
        layout.legend_below(ax, columns)
    for ax in layout.axes[len(products) :]:
        ax.set_visible(False)
    return layout.figure, f"Output of each product of the {st.sector_name(sector).lower()} sector by technology."


def capacity_changes(tables: RunTables) -> tuple[Figure, str] | None:
    """New capacity (above zero) and early retirements (below zero) by sector, a panel per unit."""
    capacity = tables.capacity
    if capacity.empty or not (capacity["new"].abs().sum() + capacity["retired"].abs().sum()):
        return None
    years = _years(capacity)
    units = sorted(capacity["unit"].unique(), key=lambda u: -capacity.loc[capacity["unit"] == u, "sector"].nunique())
    width = 13.0 if len(units) > 1 else 11.0
    panel_width = (width - 1.25 - (len(units) - 1) * 1.0) / len(units)
    sector_sets = [st.ordered(capacity.loc[capacity["unit"] == u, "sector"], st.SECTORS) for u in units]
    legends = [fg.legend_columns([st.sector_name(s) for s in sectors], panel_width) for sectors in sector_sets]
    layout = fg.grid(width, 4.3, ncols=len(units), title_lines=2, below=max(rows for _, rows in legends))
    for ax, unit, sectors, (columns, _) in zip(layout.axes, units, sector_sets, legends, strict=True):
        part = capacity[capacity["unit"] == unit]
        colours = {s: st.sector_colour(s) for s in sectors}
        new = _pivot(part, "sector", "new", years).reindex(columns=sectors, fill_value=0.0)
        retired = -_pivot(part, "sector", "retired", years).reindex(columns=sectors, fill_value=0.0).abs()
        _stacked_bars(ax, new, colours, {s: st.sector_name(s) for s in sectors})
        _stacked_bars(ax, retired, colours, {s: f"_{s}" for s in sectors}, alpha=0.55, hatch="//")
        ax.axhline(0, color="black", linewidth=0.8)
        st.decorate(ax, f"Capacity changes, {unit}", st.axis_label("Capacity", unit), years,
                    "built (above zero), retired early (below zero, hatched)")  # fmt: skip
        fg.thousands(ax)
        layout.legend_below(ax, columns)
    return layout.figure, "New capacity built at each milestone, and stock retired before the end of its life."


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
    width = 13.0 if len(parts) > 1 else 11.0
    panel_width = (width - 1.25 - (len(parts) - 1) * 1.0) / len(parts)
    carrier_sets = [st.ordered(part["carrier"], st.CARRIERS) for _, part in parts]
    legends = [fg.legend_columns(carriers, panel_width) for carriers in carrier_sets]
    layout = fg.grid(width, 4.3, ncols=len(parts), below=max(rows for _, rows in legends))
    for ax, (title, part), carriers, (columns, _) in zip(layout.axes, parts, carrier_sets, legends, strict=True):
        table = _pivot(part, "carrier", "pj", years).reindex(columns=carriers, fill_value=0.0)
        ax.stackplot(years, table.T.to_numpy(), colors=[st.CARRIERS.get(c, st.spare_colour(c)) for c in carriers],
                     labels=carriers)  # fmt: skip
        st.decorate(ax, title, st.axis_label("Energy", "PJ/yr"), years)
        fg.thousands(ax)
        layout.legend_below(ax, columns)
    dropped = sorted(set(use.loc[use["pj"].isna(), "commodity"]))
    caption = "Hydrogen is counted at its lower heating value (120 PJ/Mt)."
    if dropped:
        caption += f" Left out (unit not convertible to PJ): {', '.join(dropped)}."
    return layout.figure, caption


def _limits(tables: RunTables) -> tuple[pd.Series, float | None]:
    """The annual CO2 injection limit by year (MtCO2/yr) and the storage capacity over the
    horizon (MtCO2), as the summary records them (`injection_limit`, `storage_limit`)."""
    annual = tables.summary.get("injection_limit")
    series = pd.Series(dtype="float64")
    if isinstance(annual, dict):
        series = pd.Series({int(y): float(v) for y, v in annual.items() if v is not None}, dtype="float64")
    total = tables.summary.get("storage_limit")
    return series.sort_index(), float(total) if isinstance(total, int | float) else None


def co2_captured(tables: RunTables) -> tuple[Figure, str] | None:
    """CO2 captured by sector per year against the annual injection limit, and the cumulative
    amount stored against the storage capacity (the cumulative limit)."""
    captured = derive.captured(tables)
    if captured.empty or not captured["value"].sum():
        return None
    years = _years(tables.emissions)
    annual_limit, storage_limit = _limits(tables)
    annual_limit = annual_limit[annual_limit.index.isin(years)]
    sectors = st.ordered(captured["sector"], st.SECTORS)
    left_labels = [st.sector_name(s) for s in sectors] + (["Annual injection limit"] if len(annual_limit) else [])
    panel = (13.0 - 1.0 - 0.25 - 1.0) / 2
    left_columns, left_rows = fg.legend_columns(left_labels, panel)
    layout = fg.grid(13.0, 4.3, ncols=2, below=max(left_rows, 1))
    left, right = layout.axes
    table = _pivot(captured, "sector", "value", years).reindex(columns=sectors, fill_value=0.0)
    _stacked_bars(left, table, {s: st.sector_colour(s) for s in sectors}, {s: st.sector_name(s) for s in sectors})
    if len(annual_limit):
        left.plot(annual_limit.index, annual_limit.to_numpy(), color="#d62728", linestyle="--", marker="_",
                  markersize=14, linewidth=1.2, label="Annual injection limit")  # fmt: skip
    title = "CO2 captured by sector" + (", against the annual injection limit" if len(annual_limit) else "")
    st.decorate(left, title, st.axis_label("CO2 captured", "MtCO2/yr"), years)
    fg.thousands(left)
    layout.legend_below(left, left_columns)
    total = derive.cumulative_by_year(table.sum(axis=1), tables, with_tail=True)  # as the limit counts it
    right.plot(years, total.to_numpy(), color=st.lever_colour("ccus"), marker="o", linewidth=2, label="Stored")
    if storage_limit is not None:
        right.axhline(storage_limit, color="#d62728", linestyle="--", linewidth=1.2,
                      label=f"Storage capacity (cumulative limit): {storage_limit:,.0f} MtCO2")  # fmt: skip
        right.set_ylim(0, storage_limit * 1.08)
    title = "Cumulative CO2 stored" + (", against the storage capacity" if storage_limit is not None else "")
    st.decorate(right, title, st.axis_label("CO2 since the first year", "MtCO2"), years)
    fg.thousands(right)
    layout.legend_below(right, 2)
    caption = "All captured CO2 goes to storage; the running total counts each milestone's years."
    tail = int(tables.years_represented().iloc[-1]) if len(years) else 1
    if tail > 1:
        caption += (
            f" Its last point counts the {tail} years the last milestone stands for"
            f" ({years[-1]}–{years[-1] + tail - 1}), as the storage limit does."
        )
    if not len(annual_limit) and storage_limit is None:
        caption += " No injection or storage limit is recorded in the run's summary."
    return layout.figure, caption


def carbon_price(tables: RunTables) -> tuple[Figure, str] | None:
    """The carbon price path by region (the cap's shadow price plus any exogenous price)."""
    prices = tables.carbon_price.dropna(subset=["price"])
    if prices.empty:
        return None
    years = _years(prices)
    regions = sorted(prices["region"].unique())
    names = ["whole system" if region == "all" else str(region) for region in regions]
    columns, rows = fg.legend_columns(names, 8.5)
    layout = fg.grid(10.0, 4.0, below=rows)
    ax = layout.axes[0]
    for i, (region, name) in enumerate(zip(regions, names, strict=True)):
        part = prices[prices["region"] == region].sort_values("year")
        ax.plot(part["year"], part["price"], marker="o", linewidth=2, color=st.ROUTE_PALETTE[i % 14], label=name)
    unit = str(prices["unit"].iloc[0])
    st.decorate(ax, "Carbon price path", st.axis_label("Carbon price", unit), years)
    ax.set_ylim(bottom=min(0.0, float(prices["price"].min())))
    fg.thousands(ax)
    layout.legend_below(ax, columns)
    return (
        layout.figure,
        "The cap's shadow price plus any exogenous carbon price: real, undiscounted, per tCO2 of that year.",
    )


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
    labels = {c: st.component_label(c) for c in components}
    layout = fg.grid(11.0, 4.5, right=fg.legend_width(list(labels.values())))
    ax = layout.axes[0]
    _stacked_bars(ax, table, {c: st.component_colour(c) for c in components}, labels)
    st.decorate(ax, "Annual cost by component (undiscounted)", st.axis_label("Cost", f"{scale}/yr"), years)
    fg.thousands(ax)
    layout.legend_right(ax)
    return (
        layout.figure,
        "Each milestone's cost per year; investment is the annualised capital charge of the plants serving it.",
    )


_FIXED_CHARTS = ("wedges", "sector_scope", "capacity", "energy", "co2", "carbon_price", "costs")


def _builders(tables: RunTables) -> list[Builder]:
    """(file stem, page title, key, draw) of every chart the report may hold, in its order."""
    builders: list[Builder] = [
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
    return builders


def chart_count(tables: RunTables | dict[str, pd.DataFrame]) -> int:
    """How many charts `render_charts` tries to draw from a run's tables (a `RunTables` or a dict
    of its DataFrames); those with no data are then skipped."""
    return len(_FIXED_CHARTS) + tables["production"]["sector"].nunique()


def render_charts(
    tables: RunTables, progress: Callable[[str], None] | None = None, workers: int | None = None
) -> list[Chart]:
    """Every chart with data, in the order of the report; `progress(title)` is called for each.
    `workers`: processes to draw on (None: two where a core is spare, `optimizer.report.drawing`)."""
    return draw_charts(_builders(tables), progress, workers)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "sector"


def write_plots(tables: RunTables, folder: str | Path, progress: Callable[[str], None] | None = None) -> list[Chart]:
    """Write every chart as `folder/plots/<name>.png` (old PNGs there are removed first)."""
    plots = Path(folder) / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    for old in plots.glob("*.png"):
        old.unlink()
    charts = render_charts(tables, progress)
    for chart in charts:
        (plots / f"{chart.name}.png").write_bytes(chart.png)
    return charts
