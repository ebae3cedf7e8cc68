"""Peer benchmarking: benchmark files, peer groups, statistics, the council's positions.

May import pmlib.core, pmlib.config and pmlib.data (never pmlib.rating).
"""
