"""The sweep folder: a manifest, one folder per finished point, and the assembled results.

Layout of `results/<sweep>/`::

    manifest.json            the sweep as resolved and every point's run id and values
    points/<run_id>/         record.json (+ one parquet file per table); written to a hidden
                             folder and renamed, so a point is either complete or absent
    runs.parquet, runs.csv   one row per point (assembled from the records)
    tables/<table>.parquet   every point's table, long, keyed by run_id

`--resume` keeps points whose record says `optimal` and re-runs the rest. The folder's marker
(`.optimizer.json`, kind `sweep`) lists the patterns above as what the sweep writes there.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from optimizer.batch.config import Sweep
from optimizer.batch.design import Point
from optimizer.errors import InputError, Issue
from optimizer.outputs.folders import (
    FORMAT_VERSION,
    MARKER,
    TOOL,
    examine,
    marker,
    refusal,
    remove_tree,
    staging_name,
    write_text,
)

MANIFEST = "manifest.json"
#: What a sweep writes in its folder (its marker lists these patterns, as the folder grows).
PATTERNS = (
    MANIFEST,
    "runs.parquet",
    "runs.csv",
    "tornado.csv",
    "morris.csv",
    "sobol.csv",
    "tables/*.parquet",
    "plots/tornado.png",
    "plots/morris.png",
    "plots/sobol.png",
    "plots/response_*.png",
    "points/p*/record.json",
    "points/p*/*.parquet",
)


def run_ids(points: list[Point]) -> list[str]:
    width = max(4, len(str(len(points))))
    return [f"p{number:0{width}d}" for number in range(len(points))]


def manifest(sweep: Sweep, points: list[Point]) -> dict:
    spec = asdict(sweep)
    spec["base"], spec["path"] = str(sweep.base), str(sweep.path)
    return {
        "tool": TOOL,
        "format_version": FORMAT_VERSION,
        "sweep": spec,
        "points": dict(zip(run_ids(points), points, strict=True)),
    }


def prepare(out: Path, sweep: Sweep, points: list[Point], resume: bool) -> None:
    """Start the sweep folder (it must be absent or empty), or check on --resume that it holds
    this very sweep. A folder holding anything else is refused (`optimizer.outputs.folders`)."""
    document = manifest(sweep, points)
    path = out / MANIFEST
    found = examine(out)
    if found.state == "link":
        raise InputError(Issue(str(out), refusal(found, "sweep") or "is a link"))
    if found.state in ("ours", "foreign") and path.is_file() and not path.is_symlink():
        if not resume:
            message = "holds an earlier sweep: use --resume to continue it, --force to replace it, or another --out"
            raise InputError(Issue(str(out), message))
        if found.state == "ours" and found.kind != "sweep":
            raise InputError(Issue(str(out), refusal(found, "sweep") or f"holds the output of {found.kind}"))
        previous = json.loads(path.read_text(encoding="utf-8"))
        if previous["points"] != json.loads(json.dumps(document["points"])):
            raise InputError(
                Issue(str(path), "the sweep file changed since this folder was started; use another --out")
            )
        if found.state == "foreign":  # a sweep folder from before markers: mark it
            write_text(out / MARKER, json.dumps(marker("sweep", patterns=PATTERNS), indent=1) + "\n")
        return
    if found.state not in ("absent", "empty"):
        message = refusal(found, "sweep") or "holds a folder that is not a sweep: use another --out"
        raise InputError(Issue(str(out), message))
    out.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(document, indent=2))
    write_text(out / MARKER, json.dumps(marker("sweep", patterns=PATTERNS), indent=1) + "\n")


def finished(out: Path) -> set[str]:
    """Run ids whose points completed with an optimum."""
    done = set()
    for record in (out / "points").glob("p*/record.json"):
        if json.loads(record.read_text(encoding="utf-8")).get("status") == "optimal":
            done.add(record.parent.name)
    return done


def save_point(out: Path, record: dict, tables: dict[str, pd.DataFrame]) -> None:
    """Write one point's record and tables atomically (replacing an earlier failed attempt)."""
    points = out / "points"
    points.mkdir(exist_ok=True)
    staging = points / staging_name(record["run_id"])
    staging.mkdir()
    for name, table in tables.items():
        table.to_parquet(staging / f"{name}.parquet", index=False)
    (staging / "record.json").write_text(json.dumps(record, indent=1, default=float), encoding="utf-8")
    target = points / record["run_id"]
    if target.is_symlink() or target.exists():
        remove_tree(target)  # an earlier failed attempt (a link there is unlinked, not followed)
    staging.replace(target)


def assemble(out: Path, order: list[str]) -> pd.DataFrame:
    """Build runs.parquet/csv and tables/*.parquet from the point folders.

    Tables are read and joined as Arrow tables, without a round trip through pandas for each
    point's file (which took longer than solving a point at 5-year steps)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    records, tables = [], {}
    for run_id in order:
        folder = out / "points" / run_id
        if not (folder / "record.json").exists():
            continue
        records.append(json.loads((folder / "record.json").read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.parquet")):
            table = pq.read_table(path).replace_schema_metadata(None)
            table = table.add_column(0, "run_id", pa.array([run_id] * table.num_rows, type=pa.string()))
            tables.setdefault(path.stem, []).append(table)
    runs = pd.DataFrame(records)
    runs.to_parquet(out / "runs.parquet", index=False)
    runs.to_csv(out / "runs.csv", index=False)
    (out / "tables").mkdir(exist_ok=True)
    for name, parts in tables.items():
        pq.write_table(pa.concat_tables(parts, promote_options="permissive"), out / "tables" / f"{name}.parquet")
    return runs
