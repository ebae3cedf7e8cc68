"""Foundations every layer shares: errors, periods, files, frames, numbers, the data model.

May import nothing else from pmlib (only the standard library, numpy and pandas).
"""
