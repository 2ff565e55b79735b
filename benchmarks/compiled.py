"""The baseline for ``tipdw build``: the same compiled SQL run directly in DuckDB, no dbt.

``python -m benchmarks.compiled DB MANIFEST SEEDS``: loads every seed with ``read_csv``, runs every
model's compiled SQL in dependency order (``create table``/``create view ... as``, as materialised),
then every data test's compiled SQL (``select count(*) from (...)``), in one DuckDB connection on DB.
"""

from __future__ import annotations

import json
import sys
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb


def run(db: Path, manifest_path: Path, seeds_dir: Path) -> dict[str, int]:
    manifest = json.loads(manifest_path.read_text())
    nodes = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] in ("seed", "model", "test")}
    order = TopologicalSorter(
        {k: [d for d in v["depends_on"].get("nodes", []) if d in nodes] for k, v in nodes.items()}
    ).static_order()
    con = duckdb.connect(str(db))
    done = {"seed": 0, "model": 0, "test": 0}
    try:
        for uid in order:
            node = nodes[uid]
            kind, rel = node["resource_type"], node.get("relation_name")
            if kind in ("seed", "model"):
                con.execute(f'create schema if not exists "{node["schema"]}"')
            if kind == "seed":
                path = seeds_dir / Path(node["original_file_path"]).name
                con.execute(
                    f"create or replace table {rel} as select * from read_csv(?, all_varchar=false)",
                    [str(path)],
                )
            elif kind == "model" and node["config"]["materialized"] != "ephemeral":
                what = "view" if node["config"]["materialized"] == "view" else "table"
                con.execute(f"create or replace {what} {rel} as {node['compiled_code']}")
            elif kind == "test" and node.get("compiled_code"):
                con.execute(f"select count(*) from ({node['compiled_code']}) t").fetchall()
            else:
                continue
            done[kind] += 1
    finally:
        con.close()
    return done


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))))
