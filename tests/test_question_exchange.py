"""Export and import of a workspace's own questions (チームの質問) on a real database (SQLite and
PostgreSQL), through the use-case and the router, with time injected: a role's questions survive
the trip into another workspace unchanged, an edited question keeps its id, importing the same
content twice changes nothing, and nothing is added before an admin confirms their own import."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.domain.role import Level, QuestionKind
from bot.domain.team_questions import COMMON_TARGET, Draft, Status
from bot.ports import AdminCheckFailed, ChatError
from bot.store import team_questions as store
from bot.testing import ADMIN
from bot.testing.reading import blocks_text
from bot.testing.world import World
from bot.usecases.question_exchange import IMPORT_KEPT, ImportGone, UnknownTarget
from bot.usecases.team_questions import NotAllowed

OTHER_ADMIN = "UADMIN002"
MEMBER = "UALICE001"
HOME, AWAY = "T0HOME001", "T0AWAY001"
MODEL = "私は前職で" + "障害対応の仕組みを整え、" * 20 + "その結果を数字で示しました。"


def draft(text: str, target: str = "cto", **changes) -> Draft:
    base = Draft(
        target=target,
        text=text,
        points=("判断の背景と制約", "比べた選択肢", "結果とその測り方"),
        follow_up="いま振り返ると、別の判断をしますか？",
        model_answer=MODEL,
        weak_answer="「特にありません。」→ 経験を語れていません。",
        level=Level.MIDDLE,
        kind=QuestionKind.EXPERIENCE,
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def world(db_url):
    w = World(db_url, admins=f"{ADMIN},{OTHER_ADMIN}")
    yield w
    w.close()


def approve(world: World, *drafts: Draft, team_id: str = HOME) -> list[str]:
    """Proposed by a member and approved by the admin, as the approval flow does: their ids."""
    questions = world.bot.team_questions
    ids = []
    for d in drafts:
        assert questions.propose(MEMBER, d, world.clock(), team_id=team_id) == {}
        (pending,) = questions.pending(team_id=team_id)
        decided = questions.approve(ADMIN, pending.key, pending.version, world.clock(), team_id=team_id)
        ids.append(decided.question.question_id)  # type: ignore[union-attr]
    return ids


def approved(world: World, team_id: str) -> dict[str, Draft]:
    return {tq.question_id: tq.draft for tq in world.bot.team_questions.listed(team_id=team_id) if tq.status is Status.APPROVED}


def import_text(world: World, text: str, team_id: str, user_id: str = ADMIN):
    exchange = world.bot.question_exchange
    preview = exchange.preview(user_id, text, world.clock(), team_id=team_id)
    assert preview.key is not None, preview.plan.problems
    return exchange.confirm(user_id, preview.key, world.clock(), team_id=team_id)


def test_a_roles_questions_exported_and_imported_into_another_workspace_arrive_unchanged(world):
    ids = approve(
        world,
        draft("直近で最も難しかった技術的な判断は何ですか？"),
        draft("技術的負債とどう向き合ってきましたか？", points=("可視化", "工数の配分"), level=Level.SENIOR, kind=QuestionKind.KNOWLEDGE),
        draft("採用面接で必ず聞くことは何ですか？", model_answer="", weak_answer="", follow_up=""),
        draft("自己紹介を1分でお願いします。", target=COMMON_TARGET),
    )
    exchange = world.bot.question_exchange
    exported = exchange.export(ADMIN, "cto", world.clock(), team_id=HOME)
    assert exported.count == 3 and exported.filename == "team-questions-cto-2026-11-25.md"

    preview = exchange.preview(ADMIN, exported.content.decode(), world.clock(), team_id=AWAY)
    assert (preview.plan.count("add"), preview.plan.count("update"), preview.plan.problems) == (3, 0, ())
    assert approved(world, AWAY) == {}  # nothing before the confirmation
    imported = exchange.confirm(ADMIN, preview.key, world.clock(), team_id=AWAY)  # type: ignore[arg-type]
    assert (imported.added, imported.updated, imported.unchanged) == (3, 0, 0)

    home = approved(world, HOME)
    assert approved(world, AWAY) == {qid: home[qid] for qid in ids[:3]}  # the same ids, texts, points, answers, levels, kinds
    # The other workspace drills them now: its catalog has them, under the same ids.
    cto = world.bot.catalog.for_team(team_id=AWAY).by_slug("cto")
    assert [q.id for q in cto.questions if q.team] == ids[:3]
    assert world.bot.catalog.for_team(team_id="T0THIRD01").by_slug("cto").questions[-1].team is False
    # And exports the same file again.
    assert exchange.export(ADMIN, "cto", world.clock(), team_id=AWAY).content == exported.content


def test_an_edited_question_imported_into_its_own_workspace_is_updated_and_keeps_its_id(world):
    first, second = approve(world, draft("直近で最も難しかった技術的な判断は何ですか？"), draft("技術的負債とどう向き合ってきましたか？"))
    (before,) = [tq for tq in world.bot.team_questions.listed(team_id=HOME) if tq.question_id == first]
    exchange = world.bot.question_exchange
    text = exchange.export(ADMIN, "", world.clock(), team_id=HOME).content.decode()
    edited = text.replace("* *回答ポイント：結果とその測り方*", "* *回答ポイント：結果と学び*", 1)

    preview = exchange.preview(ADMIN, edited, world.clock(), team_id=HOME)
    assert [(c.kind, c.found.question_id) for c in preview.plan.changes] == [("update", first), ("same", second)]
    imported = exchange.confirm(ADMIN, preview.key, world.clock(), team_id=HOME)  # type: ignore[arg-type]
    assert (imported.added, imported.updated, imported.unchanged) == (0, 1, 1)

    (after,) = [tq for tq in world.bot.team_questions.listed(team_id=HOME) if tq.question_id == first]
    assert after.key == before.key and after.version == before.version + 1  # the same row: cards and history stay
    assert after.draft.points == ("判断の背景と制約", "比べた選択肢", "結果と学び")
    assert world.bot.catalog.for_team(team_id=HOME).by_slug("cto").question_by_id(first).answer_points[-1] == "結果と学び"
    # The same content again changes nothing, and keeps nothing.
    again = exchange.preview(ADMIN, edited, world.clock(), team_id=HOME)
    assert again.key is None and again.plan.count("same") == 2 and not again.plan.changes_anything


def test_questions_without_an_id_get_a_new_one_and_are_not_added_twice(world):
    pasted = (
        "## SRE：チームの質問\n\n"
        "1. **SLOはどう決めますか？ 具体的に教えてください。**\n"
        "   * *回答ポイント：SLIの選び方、目標値の合意*\n   * *レベル：初級*\n   * *種類：知識*\n"
    )
    imported = import_text(world, pasted, HOME)
    assert imported.added == 1
    ((qid, added),) = approved(world, HOME).items()
    assert qid.startswith("t-") and added.points == ("SLIの選び方", "目標値の合意") and added.target == "sre"
    again = world.bot.question_exchange.preview(ADMIN, pasted, world.clock(), team_id=HOME)
    assert again.key is None and again.plan.count("same") == 1


def test_bad_questions_get_a_sentence_each_and_only_good_ones_are_added_once_confirmed(world):
    good = draft("直近で最も難しかった技術的な判断は何ですか？")
    markdown = (
        "## CTO：チームの質問（面接でよく聞かれる質問）\n\n"
        f"1. **{good.text}**\n   * *回答ポイント：判断の背景と制約*\n   * *レベル：中級*\n   * *種類：経験*\n\n"
        "2. **短い？**\n   * *回答ポイント：なし*\n   * *レベル：中級*\n   * *種類：経験*\n\n"
        "3. **レベルが読めない質問はどうなりますか？**\n   * *回答ポイント：どうなる*\n   * *レベル：超級*\n   * *種類：経験*\n\n"
        "4. **IDが使えない質問はどうなりますか？**\n   * *回答ポイント：どうなる*\n   * *レベル：初級*\n   * *種類：知識*\n   * *ID：abc123*\n\n"
        "5. **CTOとして最も重要な役割は何だと考えますか？**\n   * *回答ポイント：事業戦略*\n   * *レベル：初級*\n   * *種類：知識*\n"
    )
    preview = world.bot.question_exchange.preview(ADMIN, markdown, world.clock(), team_id=HOME)
    problems = sorted((p.number, p.sentence) for p in preview.plan.problems)
    assert problems == [
        (2, "質問は10〜200文字で書いてください（いま3文字）。"),
        (3, "「レベル：」に初級・中級・上級のどれかを書いてください。"),
        (4, "ID「abc123」は使えません。IDは「t-」と8桁の16進数（例：t-1a2b3c4d）にするか、新しい質問なら書かないでください。"),
        (5, "同じ文面の質問が職種の資料にすでにあるため、取り込みません。"),
    ]
    assert all(p.target == "cto" and p.line > 0 for p in preview.plan.problems)
    assert approved(world, HOME) == {}
    imported = world.bot.question_exchange.confirm(ADMIN, preview.key, world.clock(), team_id=HOME)  # type: ignore[arg-type]
    assert (imported.added, imported.problems) == (1, 4)
    assert [d.text for d in approved(world, HOME).values()] == [good.text]


def test_an_import_is_confirmed_once_by_the_admin_who_made_it(world):
    approve(world, draft("直近で最も難しかった技術的な判断は何ですか？"), team_id=AWAY)
    text = world.bot.question_exchange.export(ADMIN, "cto", world.clock(), team_id=AWAY).content.decode()
    exchange = world.bot.question_exchange
    preview = exchange.preview(ADMIN, text, world.clock(), team_id=HOME)
    key = preview.key
    assert key is not None
    with pytest.raises(NotAllowed):
        exchange.confirm(MEMBER, key, world.clock(), team_id=HOME)
    for user_id, team_id, forged in ((OTHER_ADMIN, HOME, key), (ADMIN, AWAY, key), (ADMIN, HOME, key + 1000)):
        with pytest.raises(ImportGone):
            exchange.confirm(user_id, forged, world.clock(), team_id=team_id)
    assert approved(world, HOME) == {}
    assert exchange.confirm(ADMIN, key, world.clock(), team_id=HOME).added == 1
    with pytest.raises(ImportGone):
        exchange.confirm(ADMIN, key, world.clock(), team_id=HOME)
    assert len(approved(world, HOME)) == 1
    # Its Markdown is not kept once used.
    with world.bot.question_exchange.sessions() as session:
        assert store.take_import(session, key, ADMIN, world.clock(), team_id=HOME) is None


def test_imports_are_deleted_a_day_after_they_were_made(world):
    approve(world, draft("直近で最も難しかった技術的な判断は何ですか？"), team_id=AWAY)
    exchange = world.bot.question_exchange
    text = exchange.export(ADMIN, "", world.clock(), team_id=AWAY).content.decode()
    preview = exchange.preview(ADMIN, text, world.clock(), team_id=HOME)
    world.bot.workspaces.purge_due(world.clock() + IMPORT_KEPT - timedelta(seconds=1))
    world.clock.now = world.clock() + IMPORT_KEPT + timedelta(seconds=1)
    world.cycle.tick(world.clock())
    with pytest.raises(ImportGone):
        exchange.confirm(ADMIN, preview.key, world.clock(), team_id=HOME)  # type: ignore[arg-type]
    assert approved(world, HOME) == {}


def test_a_retired_question_is_not_brought_back_by_an_import(world):
    (qid,) = approve(world, draft("直近で最も難しかった技術的な判断は何ですか？"))
    text = world.bot.question_exchange.export(ADMIN, "cto", world.clock(), team_id=HOME).content.decode()
    (tq,) = world.bot.team_questions.listed(team_id=HOME)
    world.bot.team_questions.retire(ADMIN, tq.key, tq.version, world.clock(), team_id=HOME)
    preview = world.bot.question_exchange.preview(ADMIN, text, world.clock(), team_id=HOME)
    assert preview.key is None and [p.sentence for p in preview.plan.problems] == [
        f"{qid} はこのワークスペースで廃止した質問なので、取り込みません。"
    ]


# ----------------------------------------------------------------------------- the command


def answer(world: World, text: str, user_id: str = ADMIN, team_id: str = HOME) -> str:
    return blocks_text(world.bot.router.handle_command(text, user_id=user_id, channel_id="C0STUDY01", team_id=team_id).blocks)


def test_the_export_command_sends_the_admin_a_markdown_file(world):
    approve(world, draft("直近で最も難しかった技術的な判断は何ですか？"), draft("自己紹介を1分でお願いします。", target=COMMON_TARGET))
    assert "CTO、1問" in answer(world, "questions export cto")
    assert "共通質問、1問" in answer(world, "questions export 共通")
    assert "すべての職種、2問" in answer(world, "questions export")
    files = world.chat.of("file")
    assert [f.key for f in files] == [
        "team-questions-cto-2026-11-25.md",
        "team-questions-common-2026-11-25.md",
        "team-questions-all-2026-11-25.md",
    ]
    assert all(f.channel == ADMIN for f in files) and "/career questions import" in files[0].text
    text = files[-1].file.decode()  # type: ignore[union-attr]
    assert "## CTO：チームの質問（面接でよく聞かれる質問）" in text and "## 共通質問：チームの質問（面接でよく聞かれる質問）" in text


def test_the_export_command_refuses_politely(world):
    assert (
        answer(world, "questions export", user_id=MEMBER)
        == "すみません、チームの質問を書き出せるのは管理者だけです。必要な場合は管理者に相談してください。"
    )
    assert "書き出せるチームの質問（SRE）はまだありません" in answer(world, "questions export sre")
    assert "職種「宇宙飛行士」が見つかりませんでした" in answer(world, "questions export 宇宙飛行士")
    assert "フォームから" in answer(world, "questions import")
    approve(world, draft("直近で最も難しかった技術的な判断は何ですか？"))
    world.chat.failures.append(ChatError("missing_scope", retryable=False))
    assert "files:write" in answer(world, "questions export")
    assert world.chat.of("file") == []


def test_an_admin_check_that_fails_is_said_as_such(world):
    def unsure(user_id: str, team_id: str) -> bool:
        raise AdminCheckFailed(user_id, "ratelimited")

    world.bot.team_questions.is_admin = unsure
    assert "管理者かどうかを確認できませんでした" in answer(world, "questions export")
    with pytest.raises(AdminCheckFailed):
        world.bot.question_exchange.preview(ADMIN, "## CTO：チームの質問\n", world.clock(), team_id=HOME)
    with pytest.raises(UnknownTarget):
        world.bot.team_questions.is_admin = lambda user_id, team_id: True
        world.bot.question_exchange.export(ADMIN, "宇宙飛行士", world.clock(), team_id=HOME)


def test_an_import_or_an_edit_cannot_move_an_approved_question_to_another_role(world):
    """Members' cards and grades name a question by its role and id: a move would orphan them."""
    (qid,) = approve(world, draft("直近で最も難しかった技術的な判断は何ですか？"))
    text = world.bot.question_exchange.export(ADMIN, "cto", world.clock(), team_id=HOME).content.decode()
    moved = text.replace("：チームの質問", "：チームの質問", 1).replace("## CTO", "## SRE", 1)
    assert moved != text
    preview = world.bot.question_exchange.preview(ADMIN, moved, world.clock(), team_id=HOME)
    assert preview.key is None and [p.sentence for p in preview.plan.problems] == [
        f"{qid} はこのワークスペースでは「CTO」の質問なので、職種を変えて取り込むことはできません（記録が引き継がれないため）。"
    ]
    (tq,) = world.bot.team_questions.listed(team_id=HOME)
    refused = world.bot.team_questions.edit(ADMIN, tq.key, tq.version, draft(tq.draft.text, target="sre"), world.clock(), team_id=HOME)
    assert set(refused) == {"target"}  # type: ignore[arg-type]
    assert approved(world, HOME) == {qid: tq.draft}
