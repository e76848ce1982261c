"""Every question has an id that survives reordering and insertion; an author can pin it with
`* *ID：…*`; check-content --database names the ids that history refers to and the content lost."""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bot.content.loader import ContentError, load_directory, load_file, parse_role
from bot.content.questions import QUESTION_ID
from bot.domain.role import question_id
from bot.testing import CONTENT_DIR, ROOT

FRONT_MATTER = "---\ntitle: テスト職種のプロジェクトポジション\nslug: test_role\nmeta_description: テスト用の職種。\n---\n"
PATH = Path("test_role.md")


def _document(*questions: str) -> str:
    """A role whose questions section lists `questions` (each may carry its own bullets), numbered in order.
    The first question is on line 9."""
    items = "".join(f"{n}. {q}\n" for n, q in enumerate(questions, start=1))
    return FRONT_MATTER + "\n## 面接でよくある質問\n\n" + items


def _ids(text: str) -> dict[str, str]:
    role, _ = parse_role(text, PATH)
    return {q.text: q.id for q in role.questions}


def test_ids_survive_reordering_and_the_insertion_of_other_questions():
    before = _ids(_document("**最初の質問ですか？**", "**二つ目の質問ですか？**", "**三つ目の質問ですか？**"))
    after = _ids(
        _document("**新しく加えた質問ですか？**", "**三つ目の質問ですか？**", "**最初の質問ですか？**", "**二つ目の質問ですか？**")
    )
    assert len(set(before.values())) == 3
    assert {text: after[text] for text in before} == before
    assert before["最初の質問ですか？"] == question_id("最初の質問ですか？")


def test_reformatting_keeps_the_id_and_rewording_changes_it():
    (original,) = _ids(_document("**SOCやCSIRTの設計・運用経験は？**")).values()
    (reformatted,) = _ids(_document("ＳＯＣや  CSIRT の設計・運用経験は?")).values()
    (reworded,) = _ids(_document("**SOCやCSIRTの設計・運用経験はありますか？**")).values()
    assert reformatted == original
    assert reworded != original


def test_an_explicit_id_overrides_the_hash_and_is_no_answer_point():
    text = _document(
        "**言い換えた質問ですか？**\n   * *回答ポイント：要点*\n   * *ID：kept-id_01*",
        "**半角コロンの質問ですか？**\n   * *ID:half-width*",
        "**ハッシュのままの質問ですか？**",
    )
    role, warnings = parse_role(text, PATH)
    assert [(q.number, q.id, q.answer_points) for q in role.questions] == [
        (1, "kept-id_01", ("要点",)),
        (2, "half-width", ()),
        (3, question_id("ハッシュのままの質問ですか？"), ()),
    ]
    assert warnings == ["no career paths (a list of 'A → B → C' under a キャリアパス heading)"]
    assert role.question_by_id("kept-id_01") is role.questions[0]


def test_an_id_bullet_that_lost_its_indentation_still_belongs_to_its_question():
    items = "".join(f"{n}. **質問{n}ですか？**\n" for n in range(1, 10))
    text = FRONT_MATTER + "\n## 面接\n\n" + items + "10. **十番目の質問ですか？**\n\n* *ID：tenth*\n* *深掘り：次の質問は？*\n"
    role, _ = parse_role(text, PATH)
    assert (role.questions[-1].number, role.questions[-1].id, role.questions[-1].follow_up) == (10, "tenth", "次の質問は？")


def test_an_invalid_id_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text(_document("**一つ目の質問ですか？**", "**二つ目の質問ですか？**\n   * *ID：Bad ID!*"), encoding="utf-8")
    role, problems = load_file(path)
    assert role is None
    assert [str(p) for p in problems] == [
        f"{path}:11: error: Q2のID「Bad ID!」は使えないので、英小文字か数字で始まり英小文字・数字・「_」「-」だけでできた3〜32文字のIDにしてください。"
    ]


def test_an_id_that_is_too_short_is_an_error_at_its_bullet():
    with pytest.raises(ContentError) as raised:
        parse_role(_document("**質問ですか？**\n   * *ID：ab*"), PATH)
    assert raised.value.line == 10
    assert str(raised.value).startswith("Q1のID「ab」は使えない")


def test_two_identical_questions_are_an_error_naming_both_numbers(tmp_path):
    path = tmp_path / "twice.md"
    path.write_text(_document("**同じ質問ですか？**", "**別の質問ですか？**", "同じ  質問ですか？"), encoding="utf-8")
    role, problems = load_file(path)
    assert role is None
    qid = question_id("同じ質問ですか？")
    assert [str(p) for p in problems] == [
        f"{path}:11: error: Q3のID「{qid}」がQ1と重なっているので（同じ文面の質問は同じIDになります）、"
        "どちらかの文面を変えるか「* *ID：…*」で別のIDを付けてください。"
    ]


def test_an_explicit_id_used_twice_is_an_error_naming_both_numbers(tmp_path):
    path = tmp_path / "same_id.md"
    path.write_text(
        _document("**一つ目の質問ですか？**\n   * *ID：same-id*", "**二つ目の質問ですか？**\n   * *ID：same-id*"), encoding="utf-8"
    )
    result = load_directory(tmp_path)
    assert result.roles == ()
    assert [(p.path, p.line, p.severity) for p in result.problems] == [(path, 11, "error")]
    assert result.problems[0].message.startswith("Q2のID「same-id」がQ1と重なっている")


def test_every_shipped_question_has_an_id_unique_within_its_role():
    result = load_directory(CONTENT_DIR)
    assert result.errors == ()
    assert len(result.roles) >= 8
    for role in result.roles:
        ids = [q.id for q in role.questions]
        assert len(set(ids)) == len(ids) == 20, role.slug
        assert [q.id for q in role.questions] == [question_id(q.text) for q in role.questions], role.slug
        assert all(QUESTION_ID.match(qid) for qid in ids), role.slug


# ---------------------------------------------------------------------------------------------
# check-content --database


def run(*args: str) -> subprocess.CompletedProcess:
    """`python -m bot check-content ARGS` in this process, where the bot and its analyser are loaded
    already (a new process spends a second or more on that alone): its exit code and output."""
    from bot.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check-content", *args])
    return subprocess.CompletedProcess(["check-content", *args], code, out.getvalue(), err.getvalue())


def run_process(*args: str) -> subprocess.CompletedProcess:
    """The same in a process of its own, as a shell runs it."""
    return subprocess.run([sys.executable, "-m", "bot", "check-content", *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def _copy_content(tmp_path: Path) -> Path:
    """A content folder with one shipped role, cto, whose history the databases below refer to. Its
    related_jobs are dropped, as the roles they name are not copied: checking every role would judge
    each one's answer points (most of a check's time) and find nothing more about history here."""
    target = tmp_path / "content"
    target.mkdir()
    source = (CONTENT_DIR / "cto.md").read_text(encoding="utf-8")
    (target / "cto.md").write_text(re.sub(r"^related_jobs:\n(?:- .*\n)+", "", source, count=1, flags=re.M), encoding="utf-8")
    return target


def _history(path: Path, drills: list[tuple[str, str | None]], reviews: list[tuple[str, str | None]] | None) -> str:
    """A database with the history tables' id columns (reviews left out when None); its URL."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE drills (id INTEGER PRIMARY KEY, role_slug TEXT NOT NULL, question_id TEXT)")
        db.executemany("INSERT INTO drills (role_slug, question_id) VALUES (?, ?)", drills)
        if reviews is not None:
            db.execute("CREATE TABLE reviews (id INTEGER PRIMARY KEY, role_slug TEXT NOT NULL, question_id TEXT)")
            db.executemany("INSERT INTO reviews (role_slug, question_id) VALUES (?, ?)", reviews)
    db.close()
    return f"sqlite:///{path}"


def _cto_first_question(content: Path) -> tuple[Path, str, str]:
    cto = content / "cto.md"
    role, _ = load_file(cto)
    assert role is not None
    return cto, role.questions[0].text, role.questions[0].id


def test_an_id_that_history_refers_to_and_the_content_lost_is_a_warning_with_its_count(tmp_path):
    content = _copy_content(tmp_path)
    cto, text, old_id = _cto_first_question(content)
    kept_id = load_file(cto)[0].questions[1].id
    cto.write_text(cto.read_text(encoding="utf-8").replace(text, text.replace("？", "と思いますか？"), 1), encoding="utf-8")
    url = _history(
        tmp_path / "history.sqlite3",
        drills=[("cto", old_id), ("cto", old_id), ("cto", kept_id), ("cto", None), ("no_such_role", "gone-role-id")],
        reviews=[("cto", old_id)],
    )
    result = run("--database", url, str(content))
    assert result.returncode == 0, result.stdout + result.stderr  # a warning
    expected = (
        f"{cto}: warning: ロール「cto」の履歴3件が参照する質問ID「{old_id}」がもう内容にないのは、おそらく質問の文面が変わったためなので、"
        f"書き換えた質問の下に「* *ID：{old_id}*」を加えればその履歴を引き継げます。"
    )
    assert [line.strip() for line in result.stdout.splitlines() if "履歴" in line] == [expected]
    assert "0 error(s), 1 warning(s)" in result.stdout
    assert run("--strict", "--database", url, str(content)).returncode == 1


def test_the_old_id_written_under_the_reworded_question_keeps_its_history(tmp_path):
    content = _copy_content(tmp_path)
    cto, text, old_id = _cto_first_question(content)
    source = cto.read_text(encoding="utf-8")
    reworded = text.replace("？", "と思いますか？")
    assert reworded != text
    source = source.replace(text + "**\n", reworded + "**\n\n   * *ID：" + old_id + "*\n", 1)
    cto.write_text(source, encoding="utf-8")
    url = _history(tmp_path / "history.sqlite3", drills=[("cto", old_id)], reviews=[("cto", old_id)])
    result = run("--strict", "--database", url, str(content))
    assert result.returncode == 0, result.stdout
    assert "0 error(s), 0 warning(s)" in result.stdout
    assert load_file(cto)[0].questions[0].id == old_id


def test_history_tables_or_columns_that_do_not_exist_yet_report_nothing(tmp_path):
    database = tmp_path / "old.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE drills (id INTEGER PRIMARY KEY, role_slug TEXT NOT NULL)")  # before question ids
        db.execute("INSERT INTO drills (role_slug) VALUES ('cto')")
    db.close()
    content = _copy_content(tmp_path)
    result = run("--strict", "--database", f"sqlite:///{database}", str(content))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s), 0 warning(s)" in result.stdout
    only_drills = _history(tmp_path / "drills_only.sqlite3", drills=[("cto", "vanished-id")], reviews=None)
    result = run("--database", only_drills, str(content))
    assert "ロール「cto」の履歴1件が参照する質問ID「vanished-id」" in result.stdout


def test_a_database_that_cannot_be_opened_fails_the_check_and_is_not_created(tmp_path):
    missing = tmp_path / "missing.sqlite3"
    result = run_process("--database", f"sqlite:///{missing}", str(_copy_content(tmp_path)))
    assert result.returncode == 1
    assert "FAIL  --database: the database cannot be read" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not missing.exists()


KEYWORD_DOC = """---
title: テスト職
slug: kwtest
meta_description: キーワードの読み取り
---
## 1. テスト職とは

説明です。

* *キーワード：ここは質問ではない*

## 8. 面接でよく聞かれる質問

1. **一つ目の質問ですか？**
   * *回答ポイント：甲、乙*
   * *キーワード：甲/こう | 乙*
   * *キーワード：二つ目の行*

```
- keywords: コードの中
```

2. **二つ目の質問ですか？**
   * *回答ポイント：丙*

## 9. 面接でよく聞かれる質問（続き）

1. **別の節の質問ですか？**
   * *キーワード：別の節*
"""


def test_keyword_bullets_belong_to_the_question_above_them_in_the_questions_section_only(tmp_path):
    from bot.content.loader import parse_role

    role, warnings = parse_role(KEYWORD_DOC, tmp_path / "kwtest.md")
    first, second = role.questions
    assert first.keywords == ((("甲", "こう"),), (("乙",),))
    assert second.keywords == ()  # the code block's line is not a keyword bullet, and the other section is skipped
    text = "\n".join(warnings)
    assert "line 10: キーワードは面接の質問の下にだけ書けます" in text  # in the summary section
    assert "line 17: Q1にはキーワードがすでにある" in text
    assert "line 29: キーワードは面接の質問の下にだけ書けます" in text  # the second questions section is skipped
