"""A workspace's own questions (チームの質問) through the real HTTP app: a member proposes one in a
modal, the admin approves it on their App Home, and that workspace (and no other) is asked it. Signed
slash commands, view submissions and button presses in; views.open / views.update / views.publish /
chat.postMessage out to the Web API stand-in, which records what each member sees."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

import pytest

from bot.domain.team_questions import Status
from bot.testing import CONTENT_DIR
from bot.testing.botserver import BotServer, homes, press_in_view, settings_for
from bot.testing.fakes import Clock
from bot.testing.oauth import install_workspace
from bot.testing.reading import blocks_text, buttons
from bot.testing.signing import command_body, form_state, view_submission_body
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
