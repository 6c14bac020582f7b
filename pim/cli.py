"""Placeholder; replaced by the CLI module."""

from flask.cli import FlaskGroup


def init_app(app):
    pass


def main():
    from pim import create_app

    FlaskGroup(create_app=create_app)()
