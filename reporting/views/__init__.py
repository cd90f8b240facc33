"""Reporting pages, thin over ``reporting.selectors`` and ``reporting.services``: committee reports and their
runs, the quarterly indicators and unit costs, and publishing."""
