"""Reads Strata-written Iceberg tables with PyIceberg, the reference reader, for the interop tests.

Input (stdin): JSON {"reads": [{"metadata": <metadata file URI>, "snapshot_id"?: "<id>",
"ref"?: "<branch or tag>", "row_filter"?: "<PyIceberg filter string>", "selected_fields"?: [<column>],
"out": <parquet path>}]}.

For each read it loads `StaticTable.from_metadata(uri)`, scans (at the snapshot / ref, with the
filter, so PyIceberg's own pruning runs) and writes the rows as Parquet to `out`. Output (stdout):
JSON {"reads": [...]} with, per read, the table's metadata as PyIceberg understood it and the scan's
projected schema and row count. Snapshot ids are strings: Python ints are exact, JSON numbers in
JavaScript are not.

Gotcha: PyIceberg returns uuid columns as 16-byte binaries (Arrow's uuid extension type in some
versions); they are rewritten as canonical lowercase strings so they compare with DuckDB's UUID
rendered as text.
"""

import json
import sys
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.table import StaticTable
from pyiceberg.types import UUIDType


def snapshot_json(s):
    summary = {} if s.summary is None else {k: v for k, v in s.summary.additional_properties.items()}
    if s.summary is not None:
        summary["operation"] = s.summary.operation.value
    return {
        "snapshot-id": str(s.snapshot_id),
        "parent-snapshot-id": None if s.parent_snapshot_id is None else str(s.parent_snapshot_id),
        "sequence-number": str(s.sequence_number),
        "timestamp-ms": s.timestamp_ms,
        "manifest-list": s.manifest_list,
        "schema-id": s.schema_id,
        "summary": summary,
    }


def metadata_json(table):
    m = table.metadata
    return {
        "format-version": m.format_version,
        "table-uuid": str(m.table_uuid),
        "location": m.location,
        "current-schema-id": m.current_schema_id,
        "schemas": [json.loads(s.model_dump_json()) for s in m.schemas],
        "default-spec-id": m.default_spec_id,
        "partition-specs": [json.loads(s.model_dump_json()) for s in m.partition_specs],
        "last-partition-id": m.last_partition_id,
        "current-snapshot-id": None if m.current_snapshot_id is None else str(m.current_snapshot_id),
        "snapshots": [snapshot_json(s) for s in m.snapshots],
        "snapshot-log": [{"snapshot-id": str(e.snapshot_id), "timestamp-ms": e.timestamp_ms} for e in m.snapshot_log],
        "refs": {name: {"snapshot-id": str(r.snapshot_id), "type": r.snapshot_ref_type.value} for name, r in m.refs.items()},
        "last-sequence-number": str(m.last_sequence_number),
    }


def uuid_to_text(column):
    values = column.to_pylist()
    return pa.array([None if v is None else str(v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=bytes(v))) for v in values], pa.string())


def read_one(request):
    table = StaticTable.from_metadata(request["metadata"])
    snapshot_id = None
    if request.get("snapshot_id") is not None:
        snapshot_id = int(request["snapshot_id"])
    elif request.get("ref") is not None:
        snapshot_id = table.metadata.refs[request["ref"]].snapshot_id
    kwargs = {"snapshot_id": snapshot_id}
    if request.get("row_filter") is not None:
        kwargs["row_filter"] = request["row_filter"]
    if request.get("selected_fields") is not None:
        kwargs["selected_fields"] = tuple(request["selected_fields"])
    scan = table.scan(**kwargs)
    projection = scan.projection()
    arrow = scan.to_arrow()
    for field in projection.fields:
        if isinstance(field.field_type, UUIDType):
            index = arrow.schema.get_field_index(field.name)
            arrow = arrow.set_column(index, field.name, uuid_to_text(arrow.column(index)))
    pq.write_table(arrow, request["out"])
    return {
        "metadata": metadata_json(table),
        "projection": json.loads(projection.model_dump_json()),
        "files": len(list(scan.plan_files())),
        "rows": arrow.num_rows,
    }


def main():
    request = json.load(sys.stdin)
    results = []
    for read in request["reads"]:
        try:
            results.append(read_one(read))
        except Exception as error:  # reported per read, so one rejected table does not hide the others
            results.append({"error": f"{type(error).__name__}: {error}"})
    json.dump({"reads": results}, sys.stdout)


if __name__ == "__main__":
    main()
