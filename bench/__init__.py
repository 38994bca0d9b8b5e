"""Benchmarks: `python -m bench.run` measures ingest, full and incremental runs against bare references and
writes docs/benchmarks.md."""
