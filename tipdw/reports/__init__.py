"""Readers' reports: self-contained offline HTML pages (shared chart helpers in ``html.py``)."""
