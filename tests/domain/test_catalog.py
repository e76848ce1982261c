"""Role names resolve however a study-group member is likely to type them."""

from __future__ import annotations

import pytest

from bot.domain.catalog import NotFound, Resolved


@pytest.mark.parametrize(
    "query, slug",
    [
        ("ciso_project_position", "ciso_project_position"),
        ("ciso", "ciso_project_position"),
        ("CISO", "ciso_project_position"),
        ("ＣＩＳＯ", "ciso_project_position"),  # full-width
        ("ｃｉｓｏ", "ciso_project_position"),
        ("最高情報セキュリティ責任者", "ciso_project_position"),
        ("Chief Information Security Officer", "ciso_project_position"),
        ("chief-information-security-officer", "ciso_project_position"),
        ("security_engineer", "security_engineer"),
        ("security engineer", "security_engineer"),
        ("セキュリティエンジニア", "security_engineer"),
        ("cto", "cto"),
        ("ＣＴＯ", "cto"),
        ("最高技術責任者", "cto"),
    ],
)
def test_names_that_open_a_role(router, query, slug):
    found = router.catalog.resolve(query)
    assert isinstance(found, Resolved), query
    assert found.role.slug == slug


@pytest.mark.parametrize(
    "query, suggested",
    [
        ("cisoo", ["ciso_project_position", "cio"]),  # the closest first
        ("セキュリティ", ["ciso_project_position", "security_engineer", "security_manager"]),
        ("ctoo", ["cto"]),
    ],
)
def test_unknown_names_get_the_closest_roles(router, query, suggested):
    found = router.catalog.resolve(query)
    assert isinstance(found, NotFound)
    assert [r.slug for r in found.suggestions] == suggested


def test_nonsense_gets_no_suggestions(router):
    found = router.catalog.resolve("zzzzqqqq")
    assert isinstance(found, NotFound) and found.suggestions == ()
