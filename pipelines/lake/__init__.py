"""Operations on the project's Delta tables and Parquet lake.

    python -m pipelines.lake history|show|diff|restore|optimize ...

Time travel and restore on the bronze Delta lake (`lake/bronze/delta/<table>`, written by
dlt's filesystem destination) and on the raw returns Delta table (`data_raw/returns`,
written by the generator); OPTIMIZE / VACUUM of the Delta lake and coalescing of the
Parquet lake's small files. See docs/operations_runbook.md and docs/operations.md.
"""
