"""Structure settings (admin only), under ``/settings``: attributes and their options,
attribute groups, families and their requirements, family variants, category trees,
channels, locales, currencies, association types, and users.

URLs: ``/settings/<area>`` lists, ``/settings/<area>/<code>`` edits, ``/settings/new/<kind>``
shows a create form (outside ``<area>/``, where any code, ``new`` included, is an entry).

Every page follows the same pattern: a list, a create form, an edit form with labels per
locale; the view parses the form (:mod:`pim.web.settings.common`), calls a service of
:mod:`pim.services.structure` (or :mod:`pim.services.accounts` for users), commits
once, flashes and redirects, or rolls back and answers 422 with the form as the user left it
and each problem next to its field. Every route needs the ``configure`` permission (users:
``manage_users``); every write is a POST carrying the CSRF token.
"""

from __future__ import annotations

from pim.web.settings import (  # noqa: F401 - importing a module registers its routes
    association_types,
    attribute_groups,
    attribute_options,
    attributes,
    categories,
    channels,
    families,
    family_variants,
    index,
    locales,
    users,
    webhooks,
)
