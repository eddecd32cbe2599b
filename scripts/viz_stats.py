"""Write kedro-viz's ``.viz/stats.json`` from one environment's files, so its graph shows that environment's counts.

    python scripts/viz_stats.py [--env mvsa] [--project .]

kedro-viz reads row counts from a single ``.viz/stats.json`` that every ``kedro run`` overwrites,
whatever its environment. This reads each table of the environment's catalog that exists on disk
(pandas CSV and Parquet datasets: rows, columns, file size in bytes) and writes the file anew;
``make viz ENV=<env>`` runs it just before ``kedro viz build``. Tables kept in memory during a
run (no file) get no statistics.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pyarrow.parquet as pq
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro_datasets.pandas import CSVDataset, ParquetDataset


def table_stats(catalog) -> dict[str, dict[str, int]]:
    """``{dataset name: {rows, columns, file_size}}`` for every CSV/Parquet table of ``catalog`` present on disk."""
    stats = {}
    for name in sorted(catalog.keys()):
        dataset = catalog.get(name)
        if not isinstance(dataset, CSVDataset | ParquetDataset) or not dataset.exists():
            continue
        path = Path(dataset._describe()["filepath"])
        if isinstance(dataset, ParquetDataset):
            meta = pq.read_metadata(path)
            rows, columns = meta.num_rows, len(meta.schema.to_arrow_schema().names)
        else:
            rows, columns = dataset.load().shape
        stats[name] = {"rows": int(rows), "columns": int(columns), "file_size": path.stat().st_size}
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--env", default="local", help="Kedro environment whose files are counted (default local = base)"
    )
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="project root (default: here)")
    args = parser.parse_args()
    project = args.project.resolve()
    bootstrap_project(project)
    with KedroSession.create(project_path=project, env=args.env) as session:
        stats = table_stats(session.load_context().catalog)
    out = project / ".viz" / "stats.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(stats))
    counts = ", ".join(f"{name} {entry['rows']:,}" for name, entry in stats.items() if "manifest" in name)
    print(f"{out}: {len(stats)} tables of environment {args.env!r}" + (f" ({counts} rows)" if counts else ""))


if __name__ == "__main__":
    main()
