"""Every message and view the bot sends, through the real HTTP app, as Slack would get it.

One study group's day, driven by signed requests: every lookup of every role and section and
their buttons, every command (in the channel, in a channel without a drill, in a DM), the schedule
editor, the drill's post, replies, reminder, reveal, private feedback, grades, the review queue, the
leaderboard and its share, the export, the digest and the App Home. Members' display names carry
mrkdwn's formatting characters and markup. Every ack, response_url answer and Web API call with
text in it is then checked by bot.testing.slack_text: nothing raw that Slack would read as
markup, sections within the budget, and a fallback text that says something on one or two lines.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.domain.sections import SECTIONS
from bot.store.models import DrillRow
from bot.testing import ADMIN, CH
from bot.testing.botserver import drill_server, open_home, updated_form
from bot.testing.reading import blocks_text
from bot.testing.signing import form_state, reply, view_submission_body
from bot.testing.slack_text import problems
from bot.views.blocks import SECTION_BUDGET

UTC = timezone.utc
ALICE, BOB, CAROL, DAVE = "UALICE001", "UBOB00001", "UCAROL001", "UDAVE0001"
NAMES = {ALICE: "*太郎*", BOB: "_花子_ & <!channel>", CAROL: "~次郎~", DAVE: "`code`"}
DM = "D0ALICE01"


@pytest.fixture
def group_bot(stub_api, db_url):
    for user, name in NAMES.items():
        stub_api.profiles[user] = {"display_name": name}
    server = drill_server(stub_api, db_url)  # a Wednesday
    yield server
    server.stop()


class Sent:
    """The acks the test received; the stand-in keeps every other call the bot made."""

    def __init__(self, bot, stub):
        self.bot, self.stub = bot, stub
        self.acks: list[tuple[str, dict]] = []

    def command(self, text: str, user_id: str = ALICE, channel_id: str = CH) -> dict:
        answer = self.bot.answer(text, user_id=user_id, channel_id=channel_id)
        self.acks.append((f"/career {text}", answer))
        return answer

    def press(self, button: dict, user_id: str = ALICE, channel_id: str = CH) -> dict:
        answer = self.bot.press_answer(button["action_id"], button["value"], user_id=user_id, channel_id=channel_id)
        self.acks.append((f"press {button['action_id']}", answer))
        return answer

    def everything(self) -> list[tuple[str, dict]]:
        self.bot.lazy.settle()
        calls = [
            (c.method, c.params)
            for c in self.stub.calls
            if c.method
            in (
                "chat.postMessage",
                "chat.update",
                "chat.postEphemeral",
                "response_url",
                "views.open",
                "views.update",
                "views.publish",
            )
        ]
        return self.acks + calls


def buttons(answer: dict) -> list[dict]:
    return [e for b in answer.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def test_every_message_and_view_of_a_study_groups_day_is_safe_mrkdwn_within_limits(group_bot, stub_api):
    bot, sent = group_bot, Sent(group_bot, stub_api)

    # Lookups: help, the list, every role's card, sections and practice question, and mistakes.
    for text in ("", "help", "list", "<!channel> & <@U123>", "ciso 面接対策"):
        sent.command(text)
    for role in bot.core.catalog.roles:
        for text in (role.short_name, *(f"{role.short_name} {s.key}" for s in SECTIONS)):
            sent.command(text)
    for text in ("ciso", "ciso question"):
        for button in buttons(sent.command(text)):
            sent.press(button)

    # The admin's commands, mistakes included; a channel without a drill; a DM.
    for text in ("schedule set", "schedule set ciso", "schedule show", "drill now"):
        sent.command(text, user_id=ADMIN, channel_id="C0EMPTY01")
    for text in (
        "schedule set ciso 09:00 tz=UTC reveal=+3m remind=-1m digest=wed-09:05",
        "schedule help",
        "schedule show",
        "schedule list",
        "schedule skip 2026-12-01",
        "schedule pause",
        "schedule resume",
        "schedule history",
        "drill",
        "schedule set ciso 09:00 reveal=abc",
        "schedule set ciso 09:00 reveal=08:00",
        "schedule set ciso 09:00 reveal=+0m",
    ):
        sent.command(text, user_id=ADMIN)
    for text in ("feedback", "feedback off", "feedback on", "stats", "review", "leaderboard", "leaderboard yesterday", "export"):
        sent.command(text)
    for text in ("stats", "leaderboard", "export"):
        sent.command(text, user_id=ADMIN, channel_id=DM)
    sent.command("export abc", user_id=ADMIN)

    # The schedule editor: an inline error (plain text, checked by Slack itself), then a save.
    assert bot.command("schedule", user_id=ADMIN).status == 200
    form = updated_form(stub_api, 1)
    for changes in (
        {"reveal": "abc"},
        {"role": "ciso", "time": "09:00", "reveal": "+3m", "remind": "-1m", "digest": "wed-09:05", "tz": "UTC"},
    ):
        ack = bot.post_signed(view_submission_body(form, user_id=ADMIN, values=form_state(form, **changes))).json()
        sent.acks.append(("view_submission", {"view": ack["view"]} if "view" in ack else {}))
    bot.lazy.settle()  # the form is saved (in a lazy listener) at 08:58, before the clock moves on

    # The drill: posted, four replies, the reminder, the reveal with feedback, the digest.
    bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    for n, user in enumerate(NAMES, start=1):
        assert bot.event(reply(f"1764061210.00000{n}", user, drill_ts, text="リスクを評価して経営に説明します"), f"Ev{n}").status == 200
    for minute in (2, 3, 5):
        bot.clock_.now = datetime(2026, 11, 25, 9, minute, 5, tzinfo=UTC)
        bot.tick()
        bot.tick()
    reveal = next(
        c.params
        for c in stub_api.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == drill_ts and "grade" in json.dumps(c.params["blocks"])
    )
    assert stub_api.calls_to("chat.postEphemeral"), "no private feedback was sent"
    assert [c for c in stub_api.calls_to("chat.postMessage") if "まとめ" in (c.params.get("text") or "")], "no digest was posted"

    # Grades, the private check, the review queue, the leaderboard and its share, stats, export.
    for button in buttons(reveal):
        sent.press(button)
    card = sent.command("review")
    for _ in range(3):  # 回答ポイントを見る, a grade, then 新しい質問に挑戦
        card = sent.press(buttons(card)[0])
    share = buttons(sent.command("leaderboard all"))
    assert share, "the leaderboard has no share button"
    sent.press(share[0])
    sent.command("stats")
    sent.command("export", user_id=ADMIN)
    assert open_home(bot, ADMIN, "EvHome").status == 200
    stub_api.wait_for("views.publish")

    found = [f"{where}: {problem}" for where, payload in sent.everything() for problem in problems(payload)]
    assert found == []

    # One wording everywhere: 回答ポイントの公開 (never 解答, but for the 模範解答 a question shows),
    # numbers without spaces, one way of saying 「確認しましょう」 to a learner.
    said = json.dumps(sent.everything(), ensure_ascii=False)
    assert "解答" not in said.replace("模範解答", "") and "回答ポイントの公開（08:00）は投稿（09:00）より後の時刻にしてください。" in said
    assert "回答ポイントの公開は投稿の1分後から23時間59分後までの間で指定してください。" in said
    assert "確認しましょう" in said and "回答ポイントを確認してください" not in said and "スレッドで確認してください" not in said


def test_a_usage_line_reaches_slack_with_its_placeholders_escaped(group_bot):
    """Slack reads `<職種|all>` as a link even inside a code span: the reader would see 「all」."""
    help_text = blocks_text(group_bot.answer("help")["blocks"])
    assert "`/career &lt;職種&gt;`" in help_text and "<職種" not in help_text
    assert "`/career schedule set &lt;職種|all&gt; &lt;HH:MM&gt;" in help_text
    usage = group_bot.answer("schedule set ciso", user_id=ADMIN)
    assert "&lt;職種|all&gt; &lt;HH:MM&gt;" in blocks_text(usage["blocks"]) and "<HH:MM>" not in json.dumps(usage, ensure_ascii=False)


def test_content_with_an_ampersand_goes_out_escaped_in_the_fallback_text_too(group_bot):
    answer = group_bot.press_answer("career.reveal_points", "soc_analyst|6")
    assert "ATT&amp;CK" in blocks_text(answer["blocks"])
    assert "MITRE ATT&amp;CKを業務でどのように活用していますか" in answer["text"] and "ATT&CK" not in answer["text"]


def drill_day(bot, stub_api, schedule: str) -> tuple[dict, list[dict]]:
    """Set `schedule` (09:00 UTC, revealed a minute later), post, Alice and Bob reply, reveal: the
    reveal as Slack got it, and the private feedback messages."""
    assert "設定しました" in blocks_text(bot.answer(schedule, user_id=ADMIN)["blocks"])
    bot.clock_.now = datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC)
    bot.tick()
    drill_ts = stub_api.calls_to("chat.postMessage")[0].response["ts"]
    with bot.core.cycle.sessions() as s:
        row = s.scalars(select(DrillRow)).one()
    question = bot.core.catalog.by_slug(row.role_slug).question_by_id(row.question_id)
    texts = {ALICE: f"{question.points[0]}。", BOB: "週末は山に登りました。"}
    for n, (user, text) in enumerate(texts.items(), start=1):
        assert bot.event(reply(f"1764061210.00000{n}", user, drill_ts, text=text), f"Ev{n}").status == 200
    bot.clock_.now = datetime(2026, 11, 25, 9, 1, 5, tzinfo=UTC)
    bot.tick()
    bot.tick()
    reveal = next(c.params for c in stub_api.calls_to("chat.postMessage") if c.params.get("thread_ts") == drill_ts)
    return reveal, [c.params for c in stub_api.calls_to("chat.postEphemeral")]


def test_a_reveal_and_a_private_feedback_say_their_substance_in_the_notification_text(group_bot, stub_api):
    bot = group_bot
    reveal, feedback = drill_day(bot, stub_api, "schedule set cto 09:00 tz=UTC reveal=+1m")
    number = int(reveal["text"].split("Q", 1)[1].split("）", 1)[0])
    question = bot.core.catalog.by_slug("cto").question(number)
    assert reveal["text"].startswith(f"回答ポイント（CTO Q{number}）: {question.answer_points[0][:20]}")
    assert reveal["text"].endswith("参加者 2人") and len(reveal["text"].splitlines()) == 2

    by_member = {p["user"]: p["text"] for p in feedback}
    total = len(question.points)
    assert by_member[ALICE].startswith(f"🔍 あなたの回答と回答ポイント（CTO Q{number}）: ✓ 1・△ 0・– {total - 1}（{total}ポイント中）")
    assert by_member[BOB].startswith(f"🔍 あなたの回答と回答ポイント（CTO Q{number}）: ✓ 0・△ 0・– {total}（{total}ポイント中）")
    assert f"✓ {question.points[0][:10]}" in by_member[ALICE]


def test_the_digest_shows_names_that_look_like_formatting_as_typed(group_bot, stub_api):
    bot = group_bot
    drill_day(bot, stub_api, "schedule set ciso 09:00 tz=UTC reveal=+1m digest=wed-09:05")
    bot.clock_.now = datetime(2026, 11, 25, 9, 5, 30, tzinfo=UTC)
    bot.tick()
    digest = next(c.params for c in stub_api.calls_to("chat.postMessage") if "まとめ" in c.params["text"])
    text = blocks_text(digest["blocks"])
    assert "• ＊太郎＊ — 連続 1回" in text and "• ＿花子＿ &amp; &lt;!channel&gt; — 連続 1回" in text
    assert "*太郎*" not in text and "_花子_" not in text


def test_the_longest_questions_section_is_split_with_headroom_below_slacks_limit(group_bot):
    answer = group_bot.answer("cto questions")
    sections = [b["text"]["text"] for b in answer["blocks"] if b["type"] == "section"]
    assert len(sections) >= 2 and all(len(text) <= SECTION_BUDGET < 3000 for text in sections)
    role = group_bot.core.catalog.by_slug("cto")
    shown = "\n".join(sections)
    assert all(f"*Q{q.number}.*" in shown for q in role.questions)  # split between questions, nothing lost
