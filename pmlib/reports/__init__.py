"""Report objects the notebooks call: a committee report, a benchmarking deep-dive.

May import every layer below pmlib.render (core .. present).
"""
