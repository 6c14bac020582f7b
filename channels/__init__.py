"""Syndication: channel feeds (a later issue); depends on dam and pim."""
