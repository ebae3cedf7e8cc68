"""The quarterly data return: per-owner Excel workbooks, validated import, sign-off, locked periods
and a hash-chained audit trail.

May import pmlib.core, pmlib.config, pmlib.data and pmlib.rating.
"""
