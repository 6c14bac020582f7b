"""The ``web`` blueprint object, shared by the view modules of :mod:`pim.web`."""

from flask import Blueprint

bp = Blueprint("web", __name__)
