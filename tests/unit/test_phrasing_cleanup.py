"""The director's cleanup report: each section lists what is left, or says « aucun »."""

from __future__ import annotations

from actions.phrasing.director import cleanup
from bot.ent import results as r


def report(groups: tuple[r.GroupInfo, ...], favourites: tuple[r.GroupInfo, ...]) -> r.CleanupReport:
    return r.CleanupReport("École des Papillons", "2025-2026", (), groups, favourites)


def test_empty_sections_say_aucun_under_their_own_heading() -> None:
    lines = cleanup(report((), ())).split("\n")
    groups = next(i for i, line in enumerate(lines) if line.startswith("**Groupes manuels"))
    favourites = next(i for i, line in enumerate(lines) if line.startswith("**Vos favoris de partage"))
    assert lines[groups + 1] == "- aucun." and lines[favourites + 1] == "- aucun."
    assert "- aucun compte manuel." in lines


def test_each_group_and_favourite_is_listed_under_its_heading_with_its_use() -> None:
    group = r.GroupInfo("APE", "2024-2025", 3, 1)
    favourite = r.GroupInfo("<b>Équipe</b>", "2023-2024", 1, 0)
    lines = cleanup(report((group,), (favourite,))).split("\n")
    groups = next(i for i, line in enumerate(lines) if line.startswith("**Groupes manuels"))
    favourites = next(i for i, line in enumerate(lines) if line.startswith("**Vos favoris de partage"))
    assert lines[groups + 1] == "- APE (2024-2025) : 3 membres, encore utilisé dans 1 partage."
    assert lines[favourites + 1].startswith("- &lt;b&gt;Équipe&lt;/b&gt; (2023-2024) : 1 membre.")
    assert "aucun." not in lines
