"""DAM services: plain functions that take a session and flush; callers commit."""
