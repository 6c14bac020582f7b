"""The ``dam`` blueprint, mounted under ``/assets``, and its sign-in gate.

Every DAM page needs a signed-in user allowed to read the catalogue (viewers included);
suppliers, who may not read it, get 403 everywhere here. Writes are guarded per view with
:func:`pim.web.security.require` (``edit``).
"""

from flask import Blueprint, abort, current_app
from flask_login import current_user

bp = Blueprint("dam", __name__, url_prefix="/assets")


@bp.before_request
def require_reader():
    """Sign in first; then only roles that may read the catalogue reach the DAM."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.can("read"):
        abort(403)
    return None
