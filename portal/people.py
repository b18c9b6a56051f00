"""The demo identities offered by the page's switcher (development mode only), from bot/ent/demo_people.py."""

from __future__ import annotations

from bot.ent.demo_people import switcher

# (login, label shown in the switcher). The role always comes from the ENT backend.
DEMO_PEOPLE: tuple[tuple[str, str], ...] = switcher()

LABELS = dict(DEMO_PEOPLE)
