"""Browser views (blueprint ``web``)."""


def init_app(app):
    """Register the browser blueprint (filled in by the UI work)."""
