from __future__ import annotations

import pytest

from bot.domain.command_text import Help, ListRoles, Practice, ShowRole, ShowSection, parse_command


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("ヘルプ", Help()),
        ("list", ListRoles()),
        ("一覧", ListRoles()),
        ("ciso", ShowRole("ciso")),
        ("security engineer", ShowRole("security engineer")),
        ("ciso paths", ShowSection("ciso", "paths")),
        ("ciso キャリアパス", ShowSection("ciso", "paths")),
        ("ciso スキル", ShowSection("ciso", "skills")),
        ("ciso 面接", ShowSection("ciso", "questions")),
        ("ciso questions", ShowSection("ciso", "questions")),
        ("ciso ＱＵＥＳＴＩＯＮＳ", ShowSection("ciso", "questions")),
        ("スキル ciso", ShowSection("ciso", "skills")),
        ("security engineer learn", ShowSection("security engineer", "learn")),
        ("ciso question", Practice("ciso")),
        ("ciso 練習", Practice("ciso")),
    ],
)
def test_parse(text, expected):
    assert parse_command(text) == expected
