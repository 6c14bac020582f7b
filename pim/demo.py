"""`vitrine demo`: a realistic fashion demo catalogue (placeholder until implemented)."""

import click


@click.command("demo")
def demo_command():
    """Load the demo catalogue."""
