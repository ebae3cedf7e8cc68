"""Load the council's tables (CSV, Excel, Parquet), check them, and report data quality.

May import pmlib.core and pmlib.config.
"""
