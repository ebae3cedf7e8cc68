"""The rating engine: roll-ups, targets, RAG, Direction of Travel, forecasts, reasons.

May import pmlib.core, pmlib.config and pmlib.data.
"""
