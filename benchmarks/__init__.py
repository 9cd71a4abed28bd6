"""Benchmarks that write measured numbers to docs/benchmarks.md (run with `make bench`)."""
