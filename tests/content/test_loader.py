"""The loader reads the user's CISO document exactly, and survives broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import load_directory, parse_role
from bot.testing import CONTENT_DIR, ROOT, SEED

# A byte-identical copy of the user's reference document (shared/seed/ciso_project_position.md), kept
# in the repository so these tests run in every clone. The loader's exact readings below are of this
# document; content/ciso.md (SEED) is the shipped file, which adds to it.
USERS_SEED = ROOT / "tests" / "fixtures" / "ciso_project_position.md"


@pytest.fixture(scope="module")
def ciso():
    role, warnings = parse_role(USERS_SEED.read_text(encoding="utf-8"), USERS_SEED)
    assert warnings == []
    return role


def test_shipped_ciso_document_keeps_every_line_of_the_users_seed_in_order():
    """content/ciso.md may add lines (names, related roles, follow-ups, answer points), never drop,
    change or reorder one of the user's: the seed's lines are a subsequence of the shipped file's."""
    seed_lines = USERS_SEED.read_text(encoding="utf-8").splitlines()
    shipped_lines = SEED.read_text(encoding="utf-8").splitlines()
    assert len(seed_lines) > 100  # the real document, not an empty or truncated copy
    remaining = iter(enumerate(shipped_lines, start=1))
    after = 0
    for number, line in enumerate(seed_lines, start=1):
        found = next((n for n, shipped in remaining if shipped == line), None)
        assert found is not None, (
            f"seed line {number} ({line!r}) is missing from content/ciso.md after its line {after}, or was changed or moved"
        )
        after = found


def test_front_matter_fields(ciso):
    assert ciso.slug == "ciso_project_position"
    assert ciso.title == "CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション"
    assert ciso.short_title == "CISO"
    assert ciso.description.startswith("CISO（最高情報セキュリティ責任者）の戦略策定")
    assert ciso.related == ("security_engineer", "cto")
    assert ciso.tags[:3] == ("EDR", "SOC", "CSIRT") and len(ciso.tags) == 9
    assert ciso.keywords == ("CISO", "情報セキュリティ", "サイバーセキュリティ", "リスクマネジメント", "CSIRT")
    assert ciso.category == "engineering"


def test_sections_are_read_by_meaning_with_exact_counts(ciso):
    assert ciso.summary.startswith("CISO（Chief Information Security Officer）は、企業の情報セキュリティ")
    assert ciso.example.startswith("たとえば、あるCISOは")
    assert len(ciso.duties) == 7
    assert ciso.duties[0] == "情報セキュリティ戦略の策定と実行"
    assert [(g.name, len(g.items)) for g in ciso.skills] == [("技術スキル", 4), ("組織・管理スキル", 4)]
    assert len(ciso.collaboration) == 5
    assert (ciso.collaboration[0].name, ciso.collaboration[0].description) == ("CIO/CTO", "システム設計・インフラ変更時のセキュリティ対応")
    assert [p.steps for p in ciso.career_paths] == [
        ("セキュリティエンジニア", "セキュリティマネージャー", "CISO"),
        ("ネットワーク管理者", "CSIRT責任者", "CISO"),
        ("IT統制・監査部門", "情報セキュリティ責任者", "CISO"),
    ]
    assert [s.title for s in ciso.stories] == ["セキュリティ現場から経営戦略へ", "CISOとしての危機対応"]
    assert ciso.career_stories[0].text.startswith("Kさんは社内のネットワーク管理者として")
    assert len(ciso.outlook) == 5 and ciso.outlook_intro.startswith("デジタル化の進展により")
    assert [(g.name, len(g.items)) for g in ciso.learning] == [
        ("セキュリティ知識の習得", 3),
        ("マネジメント・戦略スキル", 3),
        ("法務・コンプライアンス知識", 3),
        ("実践と継続学習", 3),
    ]


def test_twenty_questions_first_ten_with_answer_points(ciso):
    assert [q.number for q in ciso.questions] == list(range(1, 21))
    assert [q.has_answer_points for q in ciso.questions] == [True] * 10 + [False] * 10
    assert ciso.questions[0].text == "CISOとしての最も重要な役割は何だと考えますか？"
    assert ciso.questions[0].answer_points == ("経営と連携したセキュリティ戦略策定、リスク最小化、ガバナンス強化",)
    # Question 10's bullet is not indented under it in the document; it still belongs to it.
    assert ciso.question(10).answer_points == ("冷静な判断、役割分担、早期収束と説明責任",)
    assert ciso.question(20).text == "あなた自身が目指す理想のCISO像は？"
    assert ciso.questions_note.startswith("これらの質問は、CISO候補者が")


def test_every_shipped_role_loads_cleanly_and_links_to_the_others():
    result = load_directory(CONTENT_DIR)
    assert result.problems == ()
    roles = {r.slug: r for r in result.roles}
    assert len(roles) == len(list(CONTENT_DIR.glob("*.md")))  # every file is a role
    assert set(roles) >= {"ciso_project_position", "security_engineer", "cto"}
    for role in roles.values():
        assert 15 <= len(role.questions) <= 20
        assert sum(q.has_answer_points for q in role.questions) * 2 >= len(role.questions)
        assert all(slug in roles for slug in role.related)
    job_roles = [r for r in roles.values() if not r.is_common]
    assert len(job_roles) == len(roles) - 1
    for role in job_roles:
        assert len(role.career_paths) >= 3 and role.duties and role.skills and role.learning
    common = roles["common"]
    assert common.is_common and common.career_paths == () and common.summary.startswith("自己紹介や転職理由")


GOOD = USERS_SEED.read_text(encoding="utf-8")

BROKEN = {
    "broken_yaml.md": ("---\ntitle: [unclosed\nslug: x\n---\n## 8. 面接\n1. **Q**\n", "YAML front matter is broken", 2),
    "no_title.md": (GOOD.replace("title: CISO", "subtitle: CISO").replace("slug: ciso_project_position", "slug: other"), "no 'title'", 1),
    "no_slug.md": (GOOD.replace("slug: ciso_project_position", ""), "no 'slug'", 1),
    "no_questions.md": (GOOD.split("## 8.")[0].replace("slug: ciso_project_position", "slug: noq"), "no interview-questions section", None),
    "no_front_matter.md": ("# Just a heading\n\n## 8. 面接\n1. **Q**\n", "no YAML front matter", 1),
    "bad_slug.md": (GOOD.replace("slug: ciso_project_position", "slug: Bad Slug!"), "must be lowercase", 1),
}


def test_broken_files_are_reported_with_file_and_line_and_the_rest_still_load(tmp_path: Path):
    (tmp_path / "ciso.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "duplicate.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    for name, (text, _, _) in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    result = load_directory(tmp_path)

    assert [r.slug for r in result.roles] == ["ciso_project_position"]
    by_file = {p.path.name: p for p in result.errors}
    for name, (_, message, line) in BROKEN.items():
        assert message in by_file[name].message, name
        assert by_file[name].line == line, name
    assert "already used by" in by_file["duplicate.md"].message and "ciso.md" in by_file["duplicate.md"].message
    assert "not valid UTF-8" in by_file["latin1.md"].message
    assert str(by_file["broken_yaml.md"]).startswith(f"{tmp_path / 'broken_yaml.md'}:2: error:")


def test_unreadable_file_is_reported(tmp_path: Path):
    (tmp_path / "ciso.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing-target.md")
    result = load_directory(tmp_path)
    assert [r.slug for r in result.roles] == ["ciso_project_position"]
    assert "cannot be read" in result.errors[0].message


def test_missing_directory_is_one_clear_error(tmp_path: Path):
    result = load_directory(tmp_path / "nope")
    assert result.roles == ()
    assert "does not exist" in result.errors[0].message


def test_unknown_section_and_dangling_related_role_are_warnings(tmp_path: Path):
    text = GOOD.replace("## 4. CISOの協業スタイル", "## 4. 雑記").replace("- cto", "- cfo")
    (tmp_path / "ciso.md").write_text(text, encoding="utf-8")
    result = load_directory(tmp_path)
    assert len(result.roles) == 1 and result.errors == ()
    warnings = [str(p) for p in result.problems]
    assert any("'4. 雑記' is not one the bot knows" in w for w in warnings)
    assert any("'cfo'" in w for w in warnings)


def test_a_role_whose_name_holds_a_section_word_keeps_its_sections():
    """機械学習エンジニア holds 学習 (the learning section's word): its 「とは」 and 「協業」 sections are
    still read as what they are, and its questions section with the name in brackets too."""
    from bot.content.sections import section_kind

    assert section_kind("1. 機械学習エンジニアとは？") == "about"
    assert section_kind("4. 機械学習エンジニアの協業スタイル") == "collaboration"
    assert section_kind("7. 機械学習エンジニアを目指すための学習方法") == "learn"
    assert section_kind("8. 面接でよくある質問とその対策（機械学習エンジニア）") == "questions"
    assert section_kind("5. キャリアパスと成長の方向性（機械学習エンジニア）") == "paths"
