"""A workspace's own questions (チームの質問), on SQLite and PostgreSQL: a proposal is checked by the
content rules and capped per day, only an admin approves it and only once, and an approved question
takes part in that workspace's lookups, drills, reveals, feedback, grades and reviews, and in no
other workspace's. A retired one is never drawn again, and another replica sees a change at its
next tick."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.memory import Grade
from bot.domain.role import Level, QuestionKind
from bot.domain.team_questions import TEAM_ID, Draft, Status
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing import ADMIN, CH
from bot.testing.reading import all_text
from bot.testing.world import World
from bot.usecases.team_questions import NotAllowed, Stale

TEAM = SINGLE_WORKSPACE  # the workspace a World serves
OTHER = "T0OTHER01"
MEMBER = "UALICE001"
QUESTION = "チームで流行っている『障害訓練（ゲームデー）』を、あなたならどう設計しますか？"


def draft(text: str = QUESTION, **changes) -> Draft:
    values = {
        "target": "cto",
        "text": text,
        "points": ("訓練の目的と範囲を先に決める", "本番に近い環境で安全に失敗させる", "振り返りで改善を次の訓練に繋ぐ"),
        "follow_up": "訓練で見つかった問題を、誰がいつまでに直しますか？",
        "level": Level.MIDDLE,
        "kind": QuestionKind.SITUATION,
    }
    values.update(changes)
    return Draft(**values)


def approved(world: World, text: str = QUESTION, target: str = "cto") -> str:
    """Propose as a member and approve as the admin: the new question's id."""
    assert world.bot.team_questions.propose(MEMBER, draft(text, target=target), world.clock(), team_id=TEAM) == {}
    pending = world.bot.team_questions.pending(team_id=TEAM)[-1]
    decision = world.bot.team_questions.approve(ADMIN, pending.key, pending.version, world.clock(), team_id=TEAM)
    return decision.question.question_id  # type: ignore[union-attr]


def listed(world: World, team_id: str = TEAM) -> str:
    message = world.bot.router.handle_command("cto questions", user_id=MEMBER, channel_id=CH, team_id=team_id)
    return all_text(message)


def test_a_proposal_that_breaks_a_rule_gets_a_sentence_per_field_and_stores_nothing(world):
    bad = draft("短すぎ？", points=(), level=None, model_answer="短い模範解答")
    errors = world.bot.team_questions.propose(MEMBER, bad, world.clock(), team_id=TEAM)
    assert set(errors) == {"text", "points", "level", "model_answer"}
    assert all(sentence.endswith("。") for sentence in errors.values())
    assert "10〜200文字" in errors["text"]
    assert world.bot.team_questions.pending(team_id=TEAM) == []


def test_points_are_at_most_six_of_eighty_characters_each_and_one_per_line(world):
    propose = world.bot.team_questions.propose
    assert "6個まで" in propose(MEMBER, draft(points=tuple(f"ポイント{i}" for i in range(7))), world.clock(), team_id=TEAM)["points"]
    assert "80文字まで" in propose(MEMBER, draft(points=("あ" * 81,)), world.clock(), team_id=TEAM)["points"]
    assert "行を分けて" in propose(MEMBER, draft(points=("目的を決め、範囲を絞る",)), world.clock(), team_id=TEAM)["points"]
    assert world.bot.team_questions.pending(team_id=TEAM) == []


def test_a_member_proposes_at_most_ten_a_day_and_may_again_the_next_day(world):
    propose = world.bot.team_questions.propose
    for i in range(10):
        assert propose(MEMBER, draft(f"{QUESTION}（その{i}）"), world.clock(), team_id=TEAM) == {}
    refused = propose(MEMBER, draft(f"{QUESTION}（その10）"), world.clock(), team_id=TEAM)
    assert "1日10件まで" in refused["text"]
    assert propose("UBOB00001", draft(), world.clock(), team_id=TEAM) == {}  # the cap is per member
    world.clock.now += timedelta(days=1)
    assert propose(MEMBER, draft(f"{QUESTION}（翌日）"), world.clock(), team_id=TEAM) == {}
    assert len(world.bot.team_questions.pending(team_id=TEAM)) == 12


def test_only_an_admin_approves_and_a_stale_or_second_press_changes_nothing(world):
    questions = world.bot.team_questions
    assert questions.propose(MEMBER, draft(), world.clock(), team_id=TEAM) == {}
    pending = questions.pending(team_id=TEAM)[0]
    with pytest.raises(NotAllowed):
        questions.approve(MEMBER, pending.key, pending.version, world.clock(), team_id=TEAM)
    with pytest.raises(Stale):
        questions.approve(ADMIN, pending.key, pending.version + 1, world.clock(), team_id=TEAM)  # drawn from another version
    with pytest.raises(Stale):
        questions.approve(ADMIN, pending.key, pending.version, world.clock(), team_id=OTHER)  # another workspace's key
    assert questions.pending(team_id=TEAM) == [pending]

    decision = questions.approve(ADMIN, pending.key, pending.version, world.clock(), team_id=TEAM)
    assert TEAM_ID.match(decision.question.question_id)  # type: ignore[union-attr]
    assert "承認されました" in decision.notice  # type: ignore[union-attr]
    with pytest.raises(Stale):  # a second admin pressing the same Home
        questions.reject(ADMIN, pending.key, pending.version, "重複", world.clock(), team_id=TEAM)
    assert questions.get(pending.key, team_id=TEAM).status is Status.APPROVED


def test_an_approved_question_is_listed_in_its_workspace_only_after_the_documents_own(world):
    before = listed(world)
    assert "チームの質問" not in before
    approved(world)
    after = listed(world)
    assert "［チームの質問］［中級］" in after and "障害訓練" in after
    assert after.index("Q20.") < after.index("Q21.") < after.index("障害訓練")
    assert listed(world, OTHER) == before


def test_another_replica_sees_an_approval_at_its_next_tick(db_url):
    first, second = World(db_url), World(db_url)
    try:
        approved(first)
        assert "障害訓練" not in listed(second)  # answered from its memory, inside the ack
        second.at(first.clock())
        assert "障害訓練" in listed(second)
    finally:
        first.close()
        second.close()


def drills_until_asked(world: World, qid: str, days: int) -> list[int]:
    """The days (of `days`) whose drill asked `qid`."""
    asked = []
    for day in range(days):
        world.day(day)
        if world.rows()[-1].question_id == qid:
            asked.append(day)
    return asked


def test_a_drill_asks_the_workspaces_question_once_per_round_and_reveals_and_grades_it(world):
    qid = approved(world)
    world.set("cto", "09:00", "reveal=+1h")
    asked = drills_until_asked(world, qid, 21)  # 20 questions of the document and the group's one
    assert len(asked) == 1
    post = world.chat.of("question", CH)[asked[0]]
    assert post.post is not None and "障害訓練" in post.post.question and post.post.number == 21
    reveal = world.chat.of("reveal", CH)[asked[0]].reveal
    assert reveal is not None and reveal.answer_points[0] == "訓練の目的と範囲を先に決める"
    drill_id = world.rows()[asked[0]].id
    graded = world.bot.learning.grade_drill(MEMBER, CH, drill_id, Grade.GOOD, world.clock(), team_id=TEAM)
    assert graded.question.id == qid


def test_a_retired_question_is_never_drawn_again_but_its_grade_still_reads(world):
    qid = approved(world)
    world.set("cto", "09:00", "reveal=+1h")
    asked = drills_until_asked(world, qid, 21)
    drill_id = world.rows()[asked[0]].id
    world.bot.learning.grade_drill(MEMBER, CH, drill_id, Grade.AGAIN, world.clock(), team_id=TEAM)
    question = world.bot.team_questions.listed(team_id=TEAM)[0]
    world.bot.team_questions.retire(ADMIN, question.key, question.version, world.clock(), team_id=TEAM)

    assert "障害訓練" not in listed(world)
    assert [d for d in range(21, 42) if (world.day(d), world.rows()[-1].question_id)[1] == qid] == []
    queue = world.bot.learning.queue(MEMBER, world.clock(), team_id=TEAM)
    assert all(item.question.id != qid for item in (queue.next,) if item is not None)
    # Pressing the old drill's grade again still finds the question it asked.
    assert world.bot.learning.grade_drill(MEMBER, CH, drill_id, Grade.GOOD, world.clock(), team_id=TEAM).question.id == qid


def test_replies_to_the_groups_question_get_feedback_from_its_own_points(world):
    qid = approved(world)
    check = world.bot.answer_check
    reply = "まず訓練の目的と範囲を決めてから始めます。本番に近い環境で、安全に失敗させる仕組みを用意します。"
    codes = check.codes("cto", qid, 21, reply, team_id=TEAM)
    assert codes is not None and len(codes) == 3 and codes[:2] != "--"
    assert check.codes("cto", qid, 21, reply, team_id=OTHER) is None  # another workspace has no such question


def test_an_edit_keeps_the_id_so_cards_and_history_stay(world):
    qid = approved(world)
    question = world.bot.team_questions.listed(team_id=TEAM)[0]
    edited = world.bot.team_questions.edit(
        ADMIN, question.key, question.version, draft(QUESTION.replace("あなたなら", "あなたのチームなら")), world.clock(), team_id=TEAM
    )
    assert edited.question_id == qid  # type: ignore[union-attr]
    assert "あなたのチームなら" in listed(world)
    with pytest.raises(Stale):  # the version the first edit moved on from
        world.bot.team_questions.edit(ADMIN, question.key, question.version, draft(), world.clock(), team_id=TEAM)


def test_content_files_may_not_use_the_team_prefix(tmp_path):
    from bot.content.loader import load_directory
    from bot.testing import CONTENT_DIR

    text = (CONTENT_DIR / "cto.md").read_text(encoding="utf-8")
    marked = text.replace("   * *回答ポイント：", "   * *ID：t-0123abcd*\n   * *回答ポイント：", 1)
    assert marked != text
    (tmp_path / "cto.md").write_text(marked, encoding="utf-8")
    result = load_directory(tmp_path)
    assert result.roles == ()
    assert any("t-0123abcd" in str(problem) and "チームの質問" in str(problem) for problem in result.problems)


def test_a_long_list_is_shown_a_page_at_a_time_within_slacks_limits(world):
    from bot.testing.reading import buttons

    questions = world.bot.team_questions
    for i in range(30):
        member = f"UMEMBER{i // 10:02d}"
        assert questions.propose(member, draft(f"{QUESTION}（{i + 1}番目）" + "詳しく" * 20), world.clock(), team_id=TEAM) == {}
    for pending in questions.pending(team_id=TEAM):
        questions.approve(ADMIN, pending.key, pending.version, world.clock(), team_id=TEAM)

    first = world.bot.router.handle_command("cto questions", user_id=MEMBER, channel_id=CH, team_id=TEAM)
    assert "（1/2ページ）" in all_text(first) and "Q25." in all_text(first) and "Q26." not in all_text(first)
    turn = [b for b in buttons(first.blocks) if b["text"]["text"] == "次のページ ▶"]
    second = world.bot.router.handle_action(turn[0]["action_id"], turn[0]["value"], user_id=MEMBER, channel_id=CH, team_id=TEAM)
    assert "（2/2ページ）" in all_text(second) and "Q50." in all_text(second) and "30番目" in all_text(second)
    for message in (first, second):
        assert len(message.blocks) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in message.blocks if b["type"] == "section")


def test_another_replica_sees_an_edit_made_on_a_clock_behind_its_own_and_a_deletion(db_url):
    from bot.store import installs

    first, second = World(db_url), World(db_url)
    try:
        approved(first)
        approved(first, QUESTION.replace("障害訓練", "障害対応の振り返り"))
        second.at(second.clock())
        question = first.bot.team_questions.listed(team_id=TEAM)[0]
        first.clock.now -= timedelta(minutes=5)  # its clock runs behind: the edit looks older than the approval
        changed = draft(QUESTION.replace("あなたなら", "あなたのチームなら"))
        first.bot.team_questions.edit(ADMIN, question.key, question.version, changed, first.clock(), team_id=TEAM)
        second.at(second.clock())
        assert "あなたのチームなら" in listed(second)

        with first.bot.cycle.sessions.begin() as s:  # the workspace's data deleted after an uninstall
            installs.delete_team_rows(s, team_id=TEAM)
        second.at(second.clock())
        assert "チームの質問" not in listed(second)
    finally:
        first.close()
        second.close()
