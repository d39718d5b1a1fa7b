"""Spreadsheets into the store: read, map, coerce, validate, then commit in one transaction.

Each stage returns data and a list of problems; nothing here raises at the first bad cell or
talks to a user interface.
"""
