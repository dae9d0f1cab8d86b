"""Drives PyIceberg's REST catalog client against `strata serve`, for rest-catalog.test.ts.

Input (stdin): JSON {"uri": <server url>, "token": <bearer token>, "steps": [<step>, ...]}.
Steps run in order in one process (PyIceberg's import alone costs about a second):

  {"op": "create_and_append", "namespace": "py", "table": "events", "rows": [{"id": 1, "name": "a", "amount": 1.5}, ...]}
      creates the namespace (if missing) and the table from the rows' Arrow schema, appends them.
  {"op": "create_transaction", "namespace": ..., "table": ..., "rows": [...]}
      like create_and_append, but as ONE staged create (stage-create, then an assert-create commit
      carrying the first snapshot), as engines do for CREATE TABLE AS SELECT.
  {"op": "append", "namespace": ..., "table": ..., "rows": [...]}
      appends to an existing table (its schema decides the Arrow types).
  {"op": "read", "namespace": ..., "table": ...}
      loads the table through the catalog and scans it.
  {"op": "list"}  namespaces and, per namespace, table names.

Output (stdout): JSON {"results": [...]}, one per step; a scan result has "rows" (sorted by id) and
"snapshot_id" (a string: Python ints are exact, JSON numbers in JavaScript are not). A step that
raises comes back as {"error": "<ExceptionType>: <message>"} and the later steps still run.
"""

import json
import sys

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError


def arrow_table(rows, schema=None):
    if schema is not None:
        return pa.Table.from_pylist(rows, schema=schema)
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema([("id", pa.int64()), ("name", pa.string()), ("amount", pa.float64())]),
    )


def scanned(table):
    table = table.refresh()
    rows = table.scan().to_arrow().to_pylist()
    rows.sort(key=lambda r: r["id"])
    snapshot = table.current_snapshot()
    return {
        "rows": rows,
        "snapshot_id": None if snapshot is None else str(snapshot.snapshot_id),
        "snapshots": len(table.metadata.snapshots),
        "metadata_location": table.metadata_location,
    }


def run(catalog, step):
    op = step["op"]
    if op == "list":
        return {
            "namespaces": {
                ".".join(ns): [t[-1] for t in catalog.list_tables(ns)] for ns in catalog.list_namespaces()
            }
        }
    identifier = (step["namespace"], step["table"])
    if op == "create_and_append":
        try:
            catalog.create_namespace(step["namespace"])
        except NamespaceAlreadyExistsError:
            pass
        data = arrow_table(step["rows"])
        table = catalog.create_table(identifier, schema=data.schema)
        table.append(data)
        return scanned(table)
    if op == "create_transaction":
        data = arrow_table(step["rows"])
        with catalog.create_table_transaction(identifier, schema=data.schema) as transaction:
            transaction.append(data)
        return scanned(catalog.load_table(identifier))
    if op == "append":
        table = catalog.load_table(identifier)
        table.append(arrow_table(step["rows"], table.schema().as_arrow()))
        return scanned(table)
    if op == "read":
        return scanned(catalog.load_table(identifier))
    raise ValueError(f"unknown op {op}")


def main():
    request = json.load(sys.stdin)
    catalog = load_catalog("strata", type="rest", uri=request["uri"], token=request["token"])
    results = []
    for step in request["steps"]:
        try:
            results.append(run(catalog, step))
        except Exception as error:  # reported to the test, which asserts on it
            results.append({"error": f"{type(error).__name__}: {error}"})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
