"""Domain services: plain functions that take a session, validate, write, flush — never commit.

The request handler or CLI command that calls them owns the transaction.
"""
