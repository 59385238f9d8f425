"""Rasa custom actions: one module per capability, each turning slots into ledger calls and
ledger results into replies (Jinja2 templates per language)."""
