"""Exported: the evaluators' workbooks, CSV and Parquet, and their charts, built from one publication."""
