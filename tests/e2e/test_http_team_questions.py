"""A workspace's own questions (チームの質問) through the real HTTP app: a member proposes one in a
modal, the admin approves it on their App Home, and that workspace (and no other) is asked it. Signed
slash commands, view submissions and button presses in; views.open / views.update / views.publish /
chat.postMessage out to the Web API stand-in, which records what each member sees."""

from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta, timezone

import pytest

from bot.commands.schedule_editor import FormMetadata
from bot.domain.team_questions import Status
from bot.slack.metadata import Sealer
from bot.testing import ADMIN, CONTENT_DIR
from bot.testing.botserver import BotServer, drill_server, homes, open_home, press_in_view, settings_for, updated_form
from bot.testing.fakes import Clock
from bot.testing.oauth import install_workspace
from bot.testing.reading import blocks_text, buttons
from bot.testing.signing import SIGNING_SECRET, command_body, form_state, view_submission_body
from bot.testing.slack_text import problems

UTC = timezone.utc
TEAM = "T0001"  # the single-workspace bot's (auth.test)
MEMBER = "UMEMBER01"
OTHER_ADMIN = "UWSADMIN1"  # a workspace admin by users.info
CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret-0123456789"
QUESTION = "技術的負債の返済と新機能開発の優先順位をどう決めてきましたか？"
POINTS = "事業への影響で優先度を決める\n返済の効果を数字で示す\n経営陣と合意を取る"


def view_of(call) -> dict:
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def opened_view(stub, count: int) -> dict:
    """The modal as Slack holds it after the `count`-th views.open (its id included)."""
    calls = stub.wait_for("views.open", count=count)
    assert len(calls) >= count, "no modal was opened"
    return {**view_of(calls[count - 1]), "id": calls[count - 1].response["view"]["id"]}


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def submit(bot: BotServer, view: dict, user_id: str, team_id: str = TEAM, **changes: str):
    ack = bot.post_signed(view_submission_body(view, user_id=user_id, values=form_state(view, **changes), team_id=team_id))
    assert ack.status == 200, ack.status
    return ack.json() if ack.body.strip() else None


def valid(**changes: str) -> dict[str, str]:
    return {"q_text": QUESTION, "q_points": POINTS, "q_level": "中級", "q_kind": "経験", **changes}


def dms(stub, user_id: str, count: int = 1) -> list[str]:
    """The texts of the DMs (chat.postMessage to the member's id) a member was sent, once `count` arrived."""
    for _ in range(500):
        found = [c.params.get("text", "") for c in stub.calls_to("chat.postMessage") if c.params.get("channel") == user_id]
        if len(found) >= count:
            return found
        stub.wait_for("never.called", timeout=0.01)
    raise AssertionError(f"{user_id} was sent {len(found)} DM(s), expected {count}")


def pending_buttons(home: dict) -> dict[str, dict]:
    """The first proposal's buttons on an admin's Home, by label."""
    found = [b for b in buttons(home["blocks"]) if b["action_id"].startswith("career.team_")]
    return {b["text"]["text"]: b for b in found[:3]}


def assert_clean(stub) -> None:
    """Nothing the bot sent has a raw `<`, `>` or `&` of a member's text (never a ping)."""
    for call in stub.calls:
        if call.method in ("chat.postMessage", "views.publish", "views.open", "views.update", "response_url"):
            assert problems(call.params) == [], (call.method, problems(call.params))
            assert "<!channel>" not in json.dumps(call.params, ensure_ascii=False)


# ----------------------------------------------------------------------------- two workspaces, end to end


@pytest.fixture
def two_workspaces(stub_api, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    stub_api.oauth_client = (CLIENT_ID, CLIENT_SECRET)
    clock = Clock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    settings = settings_for(
        stub_api,
        CONTENT_DIR,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        DATABASE_URL=db_url,
        ADMIN_USER_IDS="TALPHA001:UADMINA01,TBRAVO001:UADMINB01",
    )
    server = BotServer(settings, stub_api, clock=clock, rng=random.Random(11)).start()
    server.clock_ = clock
    server.home.refresh.schedule = lambda delay, run: None  # the test flushes the debounce window
    for team, name, token in (
        ("TALPHA001", "チームA", "xoxb-alpha-token-0123456789"),
        ("TBRAVO001", "チームB", "xoxb-bravo-token-0123456789"),
    ):
        install_workspace(server.url, stub_api, team, name, token, installer="UINSTALLER")
    yield server
    server.stop()


def ask(bot: BotServer, team_id: str, text: str, user_id: str) -> dict:
    bot._answers += 1
    name = f"tq{bot._answers}"
    ack = bot.post_signed(command_body(text, user_id=user_id, response_url=bot.stub.response_url(name), team_id=team_id))
    assert ack.status == 200, ack.status
    return ack.json() if ack.body.strip() else bot.stub.answer_at(name)


def test_a_member_proposes_the_admin_approves_on_home_and_only_that_workspace_is_asked_it(two_workspaces, stub_api):
    bot = two_workspaces
    a, b, member, admin = "TALPHA001", "TBRAVO001", "UMEMBA001", "UADMINA01"
    assert "チームの質問" not in blocks_text(ask(bot, a, "cto questions", member)["blocks"])

    # `/career propose cto` opens the form at once, CTO chosen.
    ack = bot.post_signed(command_body("propose cto", user_id=member, team_id=a, response_url=stub_api.response_url("p")))
    assert ack.status == 200 and not ack.body.strip()
    form = opened_view(stub_api, 1)
    assert stub_api.calls_to("views.open")[0].params["trigger_id"] == "1.2.3"
    assert form["callback_id"] == "team_question" and form["private_metadata"] and form["submit"]["text"] == "提案する"
    fields = inputs(form)
    assert set(fields) == {"q_target", "q_text", "q_points", "q_follow_up", "q_model_answer", "q_weak_answer", "q_level", "q_kind"}
    assert fields["q_target"]["initial_option"]["value"] == "cto"
    assert "共通質問" in [o["text"]["text"] for o in fields["q_target"]["options"]]
    assert [o["value"] for o in fields["q_level"]["options"]] == ["初級", "中級", "上級"]
    assert [o["value"] for o in fields["q_kind"]["options"]] == ["経験", "状況", "知識", "志望"]
    assert "質問10〜200字・回答ポイント1〜6個（各80字まで、1行に1つ）" in blocks_text(form["blocks"])

    # A five-character question and no points: each sentence under its own field, nothing stored.
    refused = submit(bot, form, member, a, q_text="短い質問だ", q_points="", q_level="中級", q_kind="経験")
    assert refused["response_action"] == "errors"
    assert refused["errors"] == {
        "q_text": "質問は10〜200文字で書いてください（いま5文字）。",
        "q_points": "回答ポイントを1行に1つ、少なくとも1つ書いてください。",
    }
    assert bot.core.team_questions.pending(team_id=a) == []

    # A valid one closes the modal; the member is told by DM that it went to the admins.
    assert submit(bot, form, member, a, **valid()) is None
    (told,) = dms(stub_api, member)
    assert "質問の提案を受け付けました（CTO）" in told and "管理者が確認して承認すると" in told and QUESTION in told
    (stored,) = bot.core.team_questions.pending(team_id=a)
    assert stored.proposed_by == member and stored.draft.points == tuple(POINTS.splitlines())
    assert bot.core.team_questions.pending(team_id=b) == []

    # The admin opens their Home: the proposal, its points and who proposed it, with 承認 / 編集して承認 / 却下.
    assert bot.event({"type": "app_home_opened", "user": admin, "channel": "D0HOME001", "tab": "home"}, "EvA1", team_id=a).status == 200
    (home,) = homes(stub_api, admin, 1)
    text = blocks_text(home["blocks"])
    assert "承認待ちの質問（1件）" in text and QUESTION in text and "• 返済の効果を数字で示す" in text
    assert f"提案: <@{member}>" in text and "CTO" in text and "中級・経験" in text
    pressed = pending_buttons(home)
    assert set(pressed) == {"✅ 承認", "✏️ 編集して承認", "却下"}
    assert pressed["✅ 承認"]["value"] == f"{stored.key}|{stored.version}"
    # A member's Home has the proposal button and no pending proposals.
    assert bot.event({"type": "app_home_opened", "user": member, "channel": "D0HOME002", "tab": "home"}, "EvM1", team_id=a).status == 200
    (member_home,) = homes(stub_api, member, 1)
    assert "承認待ち" not in blocks_text(member_home["blocks"])
    assert any(b.get("accessory", {}).get("action_id") == "career.propose_open" for b in member_home["blocks"])

    # 承認: the Home says so and no longer lists it; the proposer is told by DM.
    assert press_in_view(bot, pressed["✅ 承認"]["action_id"], pressed["✅ 承認"]["value"], home, admin, team_id=a).status == 200
    after = blocks_text(homes(stub_api, admin, 2)[-1]["blocks"])
    assert "✅ 質問を承認しました（`t-" in after and "承認待ちの質問" not in after
    told = dms(stub_api, member, 2)[-1]
    assert "✅ 提案した質問が承認されました" in told and QUESTION in told
    (approved,) = bot.core.team_questions.listed(team_id=a)
    assert approved.status is Status.APPROVED and approved.question_id.startswith("t-")

    # The workspace's `/career cto questions` lists it as a team question; the other workspace's does not.
    ours = blocks_text(ask(bot, a, "cto questions", member)["blocks"])
    assert "チームの質問" in ours and QUESTION in ours
    theirs = blocks_text(ask(bot, b, "cto questions", "UMEMBB001")["blocks"])
    assert "チームの質問" not in theirs and QUESTION not in theirs
    # Each workspace's calls were made with its own token.
    assert all(c.token == "xoxb-alpha-token-0123456789" for c in stub_api.calls_to("views.open") + stub_api.calls_to("views.publish"))
    assert_clean(stub_api)

    # The workspace's drill draws it within one round of the deck (20 document questions and it),
    # posts it, reveals its points and takes a member's grade.
    assert "毎日" in blocks_text(ask(bot, a, "schedule set cto 06:00 tz=UTC reveal=+2h", admin)["blocks"])
    posts = lambda: [c for c in stub_api.calls_to("chat.postMessage") if c.params.get("channel") == "C0STUDY01"]  # noqa: E731
    for _ in range(21):
        bot.clock_.now += timedelta(minutes=1)  # each `drill now` is a drill of its own instant
        assert "ドリルを1問投稿します" in blocks_text(ask(bot, a, "drill now", admin)["blocks"])
        bot.tick()
        question = [c for c in posts() if not c.params.get("thread_ts")][-1]
        ask(bot, a, "drill reveal", admin)
        bot.tick()
        if QUESTION in question.params["text"]:
            break
    assert QUESTION in question.params["text"] and "チームの質問" in blocks_text(question.params["blocks"])
    reveal = [c for c in posts() if c.params.get("thread_ts") == question.response["ts"]][-1]
    assert "事業への影響で優先度を決める" in blocks_text(reveal.params["blocks"])
    grade = {b["text"]["text"]: b for b in buttons(reveal.params["blocks"]) if b["action_id"].startswith("career.grade.")}
    graded = bot.press_answer(grade["🙂 普通に思い出せた"]["action_id"], grade["🙂 普通に思い出せた"]["value"], user_id=member, team_id=a)
    assert "「普通」で記録しました" in blocks_text(graded["blocks"])


# ----------------------------------------------------------------------------- one workspace


@pytest.fixture
def qbot(stub_api, db_url):
    """The web process at 08:00 UTC (17:00 in Tokyo, the member's zone) on 2026-11-25; users.info
    says UWSADMIN1 is a workspace admin; ADMIN is in ADMIN_USER_IDS."""
    stub_api.handlers["users.info"] = lambda call: {
        "ok": True,
        "user": {
            "id": call.params.get("user"),
            "is_admin": call.params.get("user") == OTHER_ADMIN,
            "is_owner": False,
            **({"tz": "Asia/Tokyo"} if call.params.get("user") == MEMBER else {}),
        },
    }
    server = drill_server(stub_api, db_url, start=datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    server.home.refresh.schedule = lambda delay, run: None  # the test flushes the debounce window
    yield server
    server.stop()


def propose(bot: BotServer, stub, user_id: str = MEMBER, text: str = "propose cto", **fields: str):
    """`/career <text>`, then the opened form submitted with `fields`: the ack's JSON (None: closed)."""
    opened = len(stub.calls_to("views.open"))
    assert bot.command(text, user_id=user_id).status == 200
    return submit(bot, opened_view(stub, opened + 1), user_id, **fields)


def admin_home(bot: BotServer, stub, user_id: str = ADMIN, event_id: str = "EvA1") -> dict:
    count = len(stub.published(user_id))
    assert open_home(bot, user_id, event_id).status == 200
    published = homes(stub, user_id, count + 1)
    assert len(published) == count + 1, "the Home was not published"
    return published[-1]


def published_after(stub, user_id: str, count: int) -> str:
    """The text of the member's Home once it has been published `count` times."""
    return blocks_text(homes(stub, user_id, count)[-1]["blocks"])


def test_forged_stale_and_non_admin_approve_presses_change_nothing_and_say_so_on_the_home(qbot, stub_api):
    bot = qbot
    assert propose(bot, stub_api, **valid()) is None
    (pending,) = bot.core.team_questions.pending(team_id=TEAM)
    home = admin_home(bot, stub_api)
    approve = pending_buttons(home)["✅ 承認"]

    # A value no button carries.
    for forged in ("1|x", f"{pending.key}", "-1|0", f"{pending.key}|0|0"):
        assert press_in_view(bot, approve["action_id"], forged, home, ADMIN).status == 200
    said = published_after(stub_api, ADMIN, 5)
    assert "⚠️ このボタンの内容を確認できませんでした（古いか、改ざんされています）。何も変更していません。" in said
    # A key of no question of this workspace.
    assert press_in_view(bot, approve["action_id"], f"{pending.key + 1000}|0", home, ADMIN).status == 200
    assert "見つからなくなりました。何も変更していません。" in published_after(stub_api, ADMIN, 6)
    # A member's press of a real button's value.
    member_home = admin_home(bot, stub_api, MEMBER, "EvM1")
    assert press_in_view(bot, approve["action_id"], approve["value"], member_home, MEMBER).status == 200
    refused = published_after(stub_api, MEMBER, 2)
    assert "チームの質問を承認・却下・編集・廃止できるのは管理者だけです。何も変更していません。" in refused
    assert bot.core.team_questions.pending(team_id=TEAM) == [pending]
    assert len(dms(stub_api, MEMBER)) == 1  # only the proposal's own DM

    # Another admin approves it from their Home; the first admin's Home, drawn before, is stale.
    other = admin_home(bot, stub_api, OTHER_ADMIN, "EvO1")
    theirs = pending_buttons(other)["✅ 承認"]
    assert press_in_view(bot, theirs["action_id"], theirs["value"], other, OTHER_ADMIN).status == 200
    assert "✅ 質問を承認しました" in published_after(stub_api, OTHER_ADMIN, 2)
    (approved,) = bot.core.team_questions.listed(team_id=TEAM)
    assert press_in_view(bot, approve["action_id"], approve["value"], home, ADMIN).status == 200
    assert "ほかの管理者が承認・却下・編集したか" in published_after(stub_api, ADMIN, 7)
    assert bot.core.team_questions.listed(team_id=TEAM) == [approved]  # the same id, approved once
    assert len([t for t in dms(stub_api, MEMBER, 2) if "承認されました" in t]) == 1
    assert_clean(stub_api)


def test_the_eleventh_proposal_of_a_members_local_day_is_refused_under_the_question(qbot, stub_api):
    bot = qbot
    for i in range(10):
        assert propose(bot, stub_api, **valid(q_text=f"{QUESTION}（{i + 1}）")) is None
    refused = propose(bot, stub_api, **valid())
    assert refused == {"response_action": "errors", "errors": {"q_text": "質問の提案は1日10件までです。明日また提案してください。"}}
    assert len(bot.core.team_questions.pending(team_id=TEAM)) == 10
    # 23:59 in Tokyo (the member's zone, read while the form was open) is still the same day …
    bot.clock_.now = datetime(2026, 11, 25, 14, 59, tzinfo=UTC)
    assert propose(bot, stub_api, **valid())["response_action"] == "errors"
    # … and midnight there is a new one, though it is still the 25th in UTC.
    bot.clock_.now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert propose(bot, stub_api, **valid()) is None
    assert len(bot.core.team_questions.pending(team_id=TEAM)) == 11
    # Another member has a cap of their own.
    assert propose(bot, stub_api, "UOTHER001", **valid()) is None


INJECTED = "<!channel> <@U123> & *bold*"


def test_markup_and_mentions_a_member_writes_are_shown_as_text_in_the_home_the_list_and_every_dm(qbot, stub_api):
    bot = qbot
    fields = valid(
        q_text=f"{INJECTED} をどう説明しますか？",
        q_points=f"{INJECTED} その1\n{INJECTED} その2",
        q_follow_up=f"{INJECTED} の深掘り",
        q_model_answer=f"{INJECTED} " + "模範解答の本文です。" * 25,
        q_weak_answer=f"{INJECTED} がNG例です",
    )
    assert propose(bot, stub_api, **fields) is None
    escaped = "&lt;!channel&gt; &lt;@U123&gt; &amp; ＊bold＊"
    assert escaped in dms(stub_api, MEMBER)[0]

    home = admin_home(bot, stub_api)
    text = blocks_text(home["blocks"])
    for shown in (f"「{escaped} をどう説明しますか？」", f"• {escaped} その1", f"• {escaped} その2", f"深掘り：{escaped} の深掘り"):
        assert shown in text
    assert f"模範解答：{escaped} 模範解答" in text and f"NG例：{escaped} がNG例です" in text
    assert "*bold*" not in text and "<@U123>" not in text

    approve = pending_buttons(home)["✅ 承認"]
    assert press_in_view(bot, approve["action_id"], approve["value"], home, ADMIN).status == 200
    assert f"「{escaped} をどう説明しますか？」" in published_after(stub_api, ADMIN, 2)
    told = dms(stub_api, MEMBER, 2)[-1]
    assert f"「{escaped} をどう説明しますか？」" in told and "*bold*" not in told

    listed = blocks_text(bot.answer("questions list", user_id=ADMIN)["blocks"])
    assert f"「{escaped} をどう説明しますか？」" in listed and f"• {escaped} その1" in listed and "*bold*" not in listed
    assert_clean(stub_api)
    for call in stub_api.calls:
        assert "<@U123>" not in json.dumps(call.params, ensure_ascii=False)


def test_edit_and_approve_opens_the_proposal_and_approves_what_the_admin_changed(qbot, stub_api):
    bot = qbot
    assert propose(bot, stub_api, **valid(q_follow_up="予算はどう確保しましたか？")) is None
    home = admin_home(bot, stub_api)
    edit = pending_buttons(home)["✏️ 編集して承認"]
    assert press_in_view(bot, edit["action_id"], edit["value"], home, ADMIN).status == 200
    assert "読み込み中" in blocks_text(opened_view(stub_api, 2)["blocks"])  # the trigger is spent first
    form = updated_form(stub_api, 1)
    fields = inputs(form)
    assert form["submit"]["text"] == "承認する" and f"提案: <@{MEMBER}>" in blocks_text(form["blocks"])
    assert fields["q_text"]["initial_value"] == QUESTION and fields["q_points"]["initial_value"] == POINTS
    assert fields["q_level"]["initial_option"]["value"] == "中級" and fields["q_follow_up"]["initial_value"] == "予算はどう確保しましたか？"

    # An error of the admin's own stays under its field; nothing is decided.
    assert submit(bot, form, ADMIN, q_points="1つ目、2つ目")["errors"] == {
        "q_points": "回答ポイントの中では「、」を使わず、ポイントごとに行を分けてください。"
    }
    changed = "技術的負債の返済を、経営陣にどう説明して予算を確保しましたか？"
    saving = submit(bot, form, ADMIN, q_text=changed, q_level="上級", q_points=POINTS + "\n返済後の効果を振り返る")
    assert saving["response_action"] == "update" and "保存しています" in blocks_text(saving["view"]["blocks"])
    assert "✅ 質問を承認しました" in blocks_text(updated_form(stub_api, 2)["blocks"])
    (approved,) = bot.core.team_questions.listed(team_id=TEAM)
    assert approved.draft.text == changed and approved.draft.level.value == "上級" and len(approved.draft.points) == 4
    assert approved.draft.follow_up == "予算はどう確保しましたか？"
    told = dms(stub_api, MEMBER, 2)[-1]
    assert "（管理者が手を加えました）" in told and changed in told
    shown = blocks_text(bot.answer("cto questions", user_id=MEMBER)["blocks"])
    assert changed in shown and QUESTION not in shown
    # The admin's Home is republished without it.
    for _ in range(200):
        if bot.home.refresh.pending:
            break
        stub_api.wait_for("never.called", timeout=0.01)
    assert bot.home.refresh.flush() == 1
    assert "承認待ちの質問" not in blocks_text(stub_api.published(ADMIN)[-1]["blocks"])


def test_reject_with_a_reason_tells_the_proposer_the_reason(qbot, stub_api):
    bot = qbot
    assert propose(bot, stub_api, **valid()) is None
    home = admin_home(bot, stub_api)
    reject = pending_buttons(home)["却下"]
    assert press_in_view(bot, reject["action_id"], reject["value"], home, ADMIN).status == 200
    modal = opened_view(stub_api, 2)
    assert modal["callback_id"] == "team_question_reject" and set(inputs(modal)) == {"q_reason"}
    saving = submit(bot, modal, ADMIN, q_reason="既存のQ3とほぼ同じ内容です <!channel>")
    assert saving["response_action"] == "update"
    assert "🗑 提案を却下しました" in blocks_text(updated_form(stub_api, 1)["blocks"])
    told = dms(stub_api, MEMBER, 2)[-1]
    assert "今回は採用されませんでした（理由：既存のQ3とほぼ同じ内容です &lt;!channel&gt;）" in told and QUESTION in told
    assert bot.core.team_questions.pending(team_id=TEAM) == [] and bot.core.team_questions.listed(team_id=TEAM) == []
    # Without a reason, the proposer is told there was none.
    assert propose(bot, stub_api, **valid()) is None
    bot.clock_.now += timedelta(minutes=1)  # a Home opened again later is published again
    home = admin_home(bot, stub_api, event_id="EvA2")
    reject = pending_buttons(home)["却下"]
    assert press_in_view(bot, reject["action_id"], reject["value"], home, ADMIN).status == 200
    assert submit(bot, opened_view(stub_api, 4), ADMIN)["response_action"] == "update"
    assert "理由は書かれていません" in dms(stub_api, MEMBER, 4)[-1]
    assert_clean(stub_api)


def test_a_submission_with_forged_metadata_or_by_another_member_stores_nothing(qbot, stub_api):
    bot = qbot
    assert bot.command("propose", user_id=MEMBER).status == 200
    form = opened_view(stub_api, 1)
    assert "initial_option" not in inputs(form)["q_target"]  # no role named: none chosen
    payload, _, mac = form["private_metadata"].rpartition("|")
    for metadata in (payload.replace(MEMBER, "UOTHER001") + "|" + mac, payload, ""):
        answer = submit(bot, {**form, "private_metadata": metadata}, MEMBER, **valid(q_target="cto"))
        assert answer["response_action"] == "update" and "確認できませんでした" in blocks_text(answer["view"]["blocks"])
    answer = submit(bot, form, "UOTHER001", **valid(q_target="cto"))
    assert "ほかのメンバーが開いたもの" in blocks_text(answer["view"]["blocks"])
    # The schedule editor's sealed metadata does not open this form.
    schedule_metadata = Sealer(SIGNING_SECRET).seal(FormMetadata(MEMBER, None, None))
    answer = submit(bot, {**form, "private_metadata": schedule_metadata}, MEMBER, **valid(q_target="cto"))
    assert "確認できませんでした" in blocks_text(answer["view"]["blocks"])
    bot.lazy.settle()
    assert bot.core.team_questions.pending(team_id=TEAM) == []


def test_an_admin_lists_edits_and_retires_the_workspaces_questions_and_a_member_cannot(qbot, stub_api):
    bot = qbot
    assert propose(bot, stub_api, text="propose 共通質問", **valid()) is None
    (pending,) = bot.core.team_questions.pending(team_id=TEAM)
    bot.core.team_questions.approve(ADMIN, pending.key, pending.version, bot.clock_(), team_id=TEAM)
    (approved,) = bot.core.team_questions.listed(team_id=TEAM)
    assert approved.draft.target == "common"

    refused = bot.answer("questions list", user_id=MEMBER)
    assert refused["text"] == "すみません、チームの質問の一覧を見られるのは管理者だけです（質問の提案は `/career propose` からできます）。"
    listed = bot.answer("questions list", user_id=ADMIN)
    text = blocks_text(listed["blocks"])
    assert "👥 チームの質問（1件）" in text and f"`{approved.question_id}`" in text and "共通質問" in text and "✅ 出題中" in text
    edit, retire = buttons(listed["blocks"])
    assert edit["text"]["text"] == "✏️ 編集" and retire["text"]["text"] == "🗄 廃止" and retire["confirm"]["confirm"]["text"] == "廃止する"

    # 編集 opens the form with the question; saving keeps its id.
    assert bot.press(edit["action_id"], edit["value"], user_id=ADMIN).status == 200
    form = updated_form(stub_api, 1)
    assert form["submit"]["text"] == "保存" and inputs(form)["q_target"]["initial_option"]["value"] == "common"
    changed = "転職の軸を一言で言うと何ですか？その理由も教えてください。"
    assert submit(bot, form, ADMIN, q_text=changed)["response_action"] == "update"
    assert f"`{approved.question_id}` を保存しました（IDはそのままです）" in blocks_text(updated_form(stub_api, 2)["blocks"])
    (edited,) = bot.core.team_questions.listed(team_id=TEAM)
    assert edited.question_id == approved.question_id and edited.draft.text == changed
    assert changed in blocks_text(bot.answer("common questions", user_id=MEMBER)["blocks"])

    # 廃止 from the list drawn before the edit is stale; from a fresh list, the list comes back saying so.
    stale = bot.press_answer(retire["action_id"], retire["value"], user_id=ADMIN)
    assert "ほかの管理者が承認・却下・編集したか" in stale["text"]
    _, retire = buttons(bot.answer("questions list", user_id=ADMIN)["blocks"])
    assert "管理者だけ" in bot.press_answer(retire["action_id"], retire["value"], user_id=MEMBER)["text"]
    done = bot.press_answer(retire["action_id"], retire["value"], user_id=ADMIN)
    assert done["replace_original"] is True
    said = blocks_text(done["blocks"])
    assert f"`{edited.question_id}` を廃止しました" in said and "🗄 廃止" in said and buttons(done["blocks"]) == []
    assert changed not in blocks_text(bot.answer("common questions", user_id=MEMBER)["blocks"])
    assert_clean(stub_api)


def test_a_proposal_is_stored_in_the_ack_without_waiting_on_slack(qbot, stub_api):
    bot = qbot
    held = stub_api.hold("users.info")  # Slack does not answer who the member is
    try:
        assert bot.command("propose cto", user_id=MEMBER).status == 200
        form = opened_view(stub_api, 1)
        started = time.monotonic()
        assert submit(bot, form, MEMBER, **valid()) is None
        assert time.monotonic() - started < 3  # Slack's limit for a view_submission's ack
        assert len(bot.core.team_questions.pending(team_id=TEAM)) == 1
    finally:
        held.set()
    assert "質問の提案を受け付けました" in dms(stub_api, MEMBER)[0]


def test_a_proposal_is_told_to_the_admins_the_bot_knows_by_dm_without_its_text(qbot, stub_api):
    bot = qbot
    assert propose(bot, stub_api, **valid()) is None
    told = dms(stub_api, ADMIN)  # ADMIN_USER_IDS
    assert len(told) == 1 and "<@UMEMBER01> さんからチームの質問の提案が届きました（承認待ち 1件）" in told[0]
    assert "承認待ちの質問" in told[0] and QUESTION not in told[0]  # the question is read and decided on the Home
    # A workspace admin who has decided a question is known from then on, and told of the next one.
    key, version = next((q.key, q.version) for q in bot.core.team_questions.pending(team_id=TEAM))
    bot.core.team_questions.approve(OTHER_ADMIN, key, version, bot.clock_.now, team_id=TEAM)
    assert propose(bot, stub_api, **valid(q_text=f"{QUESTION}（2）")) is None
    assert "承認待ち 1件" in dms(stub_api, OTHER_ADMIN)[0] and "承認待ち 1件" in dms(stub_api, ADMIN, 2)[1]
    # An admin who proposes is not told of their own proposal.
    before = len(dms(stub_api, ADMIN, 2))
    assert propose(bot, stub_api, ADMIN, **valid(q_text=f"{QUESTION}（3）")) is None
    assert "承認待ち 2件" in dms(stub_api, OTHER_ADMIN, 2)[1]  # sent after the proposer's receipt: all are sent
    after = dms(stub_api, ADMIN, before + 1)
    assert len(after) == before + 1 and "質問の提案を受け付けました" in after[-1]  # their receipt, not an admin's notice
