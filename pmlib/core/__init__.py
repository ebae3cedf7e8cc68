"""Foundations every layer shares: errors, periods, files, frames, numbers and words, the one
table reader, the data model, and where the shipped notebooks and demo data are found.

May import nothing else from pmlib (only the standard library, numpy and pandas).
"""
