"""The job queue: Huey on SQLite (embedded default), Redis, or in memory for tests.

Domains declare plain functions as tasks with :func:`task` (and :func:`periodic`); the
app binds them to its Huey instance, built from ``VITRINE_QUEUE_URL`` on first use, and
runs each inside an app context so they can use ``db.session`` like a CLI command: the
task owns its transaction. ``vitrine worker`` runs a consumer; ``vitrine serve`` runs one
in-process so that the embedded setup needs nothing else. The queue's key-value store
also carries live progress of running jobs (it is outside the database transaction a job
may hold open).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey

log = logging.getLogger(__name__)

_TASKS: dict[str, Callable] = {}
_PERIODIC: dict[str, tuple[Callable, dict]] = {}


def task(name: str) -> Callable:
    """Declare ``func`` as the queue task ``name`` (a decorator; returns ``func`` unchanged)."""

    def register(func: Callable) -> Callable:
        _TASKS[name] = func
        return func

    return register


def periodic(name: str, **schedule) -> Callable:
    """Declare a task run by the consumer on a crontab schedule (``minute="*"``…)."""

    def register(func: Callable) -> Callable:
        _PERIODIC[name] = (func, schedule)
        return func

    return register


def make_huey(url: str) -> Huey:
    """The Huey instance for a ``VITRINE_QUEUE_URL``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name="vitrine", filename=str(path))
    if parts.scheme == "redis":
        return RedisHuey(name="vitrine", url=url)
    return MemoryHuey(name="vitrine", immediate=True)


class Queue:
    """The app's Huey instance and its bound tasks, created on first use."""

    def __init__(self, app: Flask):
        self.app = app
        self._huey: Huey | None = None
        self._bound: dict[str, Callable] = {}

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            self._huey = make_huey(self.app.config["QUEUE_URL"])
            self._bind()
        return self._huey

    def _bind(self) -> None:
        for name, func in _TASKS.items():
            self._bound[name] = self._huey.task(name=name)(self._in_app(func))
        for name, (func, schedule) in _PERIODIC.items():
            self._huey.periodic_task(crontab(**schedule), name=name)(self._in_app(func))

    def _in_app(self, func: Callable) -> Callable:
        app = self.app

        def run(*args, **kwargs):
            from pim.extensions import db

            with app.app_context():
                try:
                    return func(*args, **kwargs)
                finally:
                    db.session.remove()

        run.__name__ = func.__name__
        return run

    def enqueue(self, name: str, *args) -> None:
        """Queue task ``name``; commit what it needs to read first."""
        if self.huey.immediate and has_app_context():
            # the in-memory queue runs the task here and now, on its own connection: end
            # the caller's transaction first, or on SQLite the task would wait for the
            # write lock its own caller holds (a write request begins IMMEDIATE)
            from pim.extensions import db

            db.session.commit()
        self._bound[name](*args)

    def put(self, key: str, value) -> None:
        """Store a small value (e.g. a job's live progress) in the queue's storage."""
        self.huey.put(key, value)

    def peek(self, key: str):
        """Read a value stored with :meth:`put` without removing it (None if absent)."""
        return self.huey.get(key, peek=True)

    def delete(self, key: str) -> None:
        self.huey.delete(key)

    def consumer(self, workers: int = 1):
        """A Huey consumer of this queue, with the periodic tasks (None for the in-memory
        queue, which runs every task as soon as it is queued)."""
        if self.huey.immediate:
            return None
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)


def init_app(app: Flask) -> None:
    """Attach the queue to the app (nothing is opened until it is used)."""
    app.extensions["vitrine_queue"] = Queue(app)


def current_queue() -> Queue:
    """The current app's queue."""
    return current_app.extensions["vitrine_queue"]
