"""Comparison of agglomeration and international cooperation: statistics, tables, findings."""
