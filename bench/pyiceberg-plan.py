"""Reference timing for scan-planning.ts: PyIceberg plans the same scans of the same table.

Usage: python3 pyiceberg-plan.py <metadata-uri> <runs> <name>=<row filter> ...
Prints one JSON object: {"version": ..., "plans": {name: {"ms": [...], "files": n}}}.
The table is loaded once (StaticTable.from_metadata); each run calls plan_files() afresh.
"""
import json
import sys
import time

import pyiceberg
from pyiceberg.table import StaticTable


def main() -> None:
    uri, runs, *specs = sys.argv[1:]
    table = StaticTable.from_metadata(uri)
    plans = {}
    for spec in specs:
        name, row_filter = spec.split("=", 1)
        times = []
        files = 0
        for _ in range(int(runs) + 1):  # the first run warms up and is not counted
            start = time.perf_counter()
            tasks = list(table.scan(row_filter=row_filter or "True").plan_files())
            times.append((time.perf_counter() - start) * 1000)
            files = len(tasks)
        plans[name] = {"ms": times[1:], "files": files}
    print(json.dumps({"version": pyiceberg.__version__, "plans": plans}))


if __name__ == "__main__":
    main()
