"""Publishing a quarter: the public website folder, its landing page and open data.

May import every layer below it (core .. batch); never pmlib.cli or pmlib.explore.
"""
