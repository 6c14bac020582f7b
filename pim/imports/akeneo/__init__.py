"""The Akeneo standard CSV export format: a whole catalogue in one command."""
