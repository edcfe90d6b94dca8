"""Bulk export and import of a municipality's data.

`kvalitet export --municipality 5501 --format json --out DIR` writes one file per table and a
`manifest.json`; `kvalitet import DIR` writes them into a database (e.g. a new, migrated one)
with every id, timestamp and version as they were. Export, import, export again gives the
same files byte for byte (only the manifest's `exported_at` differs).

What an export holds, in foreign-key order (`TABLES`): the municipality, the national goals
its plans' goals link to, its units, plans (areas parents first, goals, criteria, measures),
local plans (sections, local goals, actions), reports and assessments, published sector
reports, its own indicators with their upload batches and figures (the figures without their
row numbers, which the receiving database counts anew), and its change-log rows (so history
survives the move). What it leaves out (`NOT_EXPORTED`): the national indicators and their
figures (everyone's: import them from Udir where the data goes), API keys and webhook subscriptions (they carry secrets: a key's hash, a
webhook's signing secret; the receiving side makes new ones), their change-log rows (whose
«create» changes hold those secrets too), and operational rows (outbox events, webhook
deliveries, idempotency records).

One export path: `stream_export` yields chunks of JSON-ready rows; the CLI writes them to
files, and a GraphQL subscription can send them as they come.

The modules: `codec` (tables, formats, values), `scope` (which rows are the municipality's),
`export`, `manifest` (reading an export's files) and `importer`.
"""

from kvalitet.bulk.codec import (
    CHUNK_SIZE,
    FORMAT_VERSION,
    MANIFEST,
    NOT_EXPORTED,
    TABLES,
    BulkError,
    Chunk,
    ExportFormat,
    columns,
    has_own_ids,
)
from kvalitet.bulk.export import check_out_dir, export_counts, export_to_directory, stream_export
from kvalitet.bulk.importer import ImportResult, import_chunks, import_directory
from kvalitet.bulk.manifest import read_chunks, read_manifest

__all__ = [
    "BulkError",
    "CHUNK_SIZE",
    "Chunk",
    "ExportFormat",
    "FORMAT_VERSION",
    "ImportResult",
    "MANIFEST",
    "NOT_EXPORTED",
    "TABLES",
    "has_own_ids",
    "check_out_dir",
    "columns",
    "export_counts",
    "export_to_directory",
    "import_chunks",
    "import_directory",
    "read_chunks",
    "read_manifest",
    "stream_export",
]
