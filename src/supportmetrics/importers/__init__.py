"""Importers: a helpdesk's own exports and APIs into the canonical tables."""
