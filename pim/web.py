"""Placeholder; replaced by the views package."""


def init_app(app):
    pass
