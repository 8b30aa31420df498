"""The sweep folder: a manifest, one folder per finished point, and the assembled results.

Layout of `results/<sweep>/`::

    manifest.json            the sweep as resolved and every point's run id and values
    points/<run_id>/         record.json (+ one parquet file per table); written to a hidden
                             folder and renamed, so a point is either complete or absent
    runs.parquet, runs.csv   one row per point (assembled from the records)
    tables/<table>.parquet   every point's table, long, keyed by run_id

`--resume` keeps points whose record says `optimal` and re-runs the rest.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from optimizer.batch.config import Sweep
from optimizer.batch.design import Point
from optimizer.errors import InputError, Issue

MANIFEST = "manifest.json"


def run_ids(points: list[Point]) -> list[str]:
    width = max(4, len(str(len(points))))
    return [f"p{number:0{width}d}" for number in range(len(points))]


def manifest(sweep: Sweep, points: list[Point]) -> dict:
    spec = asdict(sweep)
    spec["base"], spec["path"] = str(sweep.base), str(sweep.path)
    return {"sweep": spec, "points": dict(zip(run_ids(points), points, strict=True))}


def prepare(out: Path, sweep: Sweep, points: list[Point], resume: bool) -> None:
    """Create the folder, or check on --resume that it holds this very sweep."""
    document = manifest(sweep, points)
    path = out / MANIFEST
    if path.exists():
        if not resume:
            raise InputError(Issue(str(out), "holds an earlier sweep: use --resume to continue it, or another --out"))
        previous = json.loads(path.read_text(encoding="utf-8"))
        if previous["points"] != json.loads(json.dumps(document["points"])):
            raise InputError(
                Issue(str(path), "the sweep file changed since this folder was started; use another --out")
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    _atomic_text(path, json.dumps(document, indent=2))


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
    staging = points / f".{record['run_id']}.{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    for name, table in tables.items():
        table.to_parquet(staging / f"{name}.parquet", index=False)
    (staging / "record.json").write_text(json.dumps(record, indent=1, default=float), encoding="utf-8")
    target = points / record["run_id"]
    if target.exists():
        shutil.rmtree(target)
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


def _atomic_text(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    staging.write_text(text, encoding="utf-8")
    staging.replace(path)
