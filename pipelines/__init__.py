"""Pipelines: the dlt Bronze source, its readers and validation, lake writers, CLI entry points."""
