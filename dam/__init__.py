"""DAM: digital assets (a later issue); depends on pim only."""
