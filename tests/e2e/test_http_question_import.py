"""The import of a workspace's own questions through the real HTTP app: a signed `/career questions
import`, views.open with the trigger, the form's view_submission with a file (files.info and its
download from the Web API stand-in) or a pasted block, 「確認しています…」 in the ack, the preview by
views.update, the 取り込む button, and the role's questions after it; the export's file back in."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

import pytest

from bot.content.question_exchange import Section, render
from bot.domain.role import Level, QuestionKind
from bot.domain.team_questions import Draft, Status
from bot.testing import TEAM_ID
from bot.testing.botserver import drill_server, press_in_view, updated_form
from bot.testing.reading import blocks_text, buttons
from bot.testing.signing import BOT_TOKEN, form_state, view_submission_body
from bot.testing.slack_text import problems
from bot.usecases.question_exchange import MAX_IMPORT_BYTES

ADMIN = "UADMIN001"  # in ADMIN_USER_IDS
WORKSPACE_ADMIN = "UWSADMIN1"  # an admin by users.info only
MEMBER = "UMEMBER01"
MODEL = "私は前職で" + "障害対応の仕組みを整え、" * 20 + "その結果を数字で示しました。"
FIRST = Draft(
    target="cto",
    text="直近で最も難しかった技術的な判断は何ですか？",
    points=("判断の背景と制約", "比べた選択肢", "結果とその測り方"),
    follow_up="いま振り返ると、別の判断をしますか？",
    model_answer=MODEL,
    weak_answer="「特にありません。」→ 経験を語れていません。",
    level=Level.MIDDLE,
    kind=QuestionKind.EXPERIENCE,
)
# Markup and mentions in an imported field: shown as text, never as a ping or a link.
SNEAKY = dataclasses.replace(FIRST, text="<!channel> *太字* <@U0HACKER1> について、どう考えますか？", model_answer="")


@pytest.fixture
def import_bot(stub_api, db_url):
    stub_api.handlers["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.params.get("user"), "is_admin": call.params.get("user") == WORKSPACE_ADMIN, "is_owner": False},
    }
    server = drill_server(stub_api, db_url, start=datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc))
    yield server
    server.stop()


def view_of(call) -> dict:
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def open_form(bot, stub, user_id: str = ADMIN, updates_before: int = 0) -> dict:
    ack = bot.command("questions import", user_id=user_id)
    assert ack.status == 200 and not ack.body.strip()
    return updated_form(stub, updates_before + 1)


def submit(bot, form: dict, user_id: str = ADMIN, **values: str) -> dict:
    ack = bot.post_signed(view_submission_body(form, user_id=user_id, values=form_state(form, **values)))
    assert ack.status == 200, ack.status
    return ack.json()


def approved(bot) -> dict[str, Draft]:
    return {tq.question_id: tq.draft for tq in bot.core.team_questions.listed(team_id=TEAM_ID) if tq.status is Status.APPROVED}


def test_an_admin_imports_a_file_and_the_role_lists_its_questions(import_bot, stub_api):
    bot = import_bot
    markdown = render([Section("CTO", [("t-0a1b2c3d", FIRST), ("", SNEAKY)])])
    shared = stub_api.shared.share("team-questions-cto.md", markdown.encode())

    form = open_form(bot, stub_api)
    calls = [c.method for c in stub_api.calls]
    opened = stub_api.calls_to("views.open")
    assert len(opened) == 1 and opened[0].params["trigger_id"] == "1.2.3"
    assert "users.info" not in calls[: calls.index("views.open")]  # the trigger expires in 3 s: the modal first
    inputs = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert inputs["file"] == {"type": "file_input", "action_id": "value", "filetypes": ["md", "markdown", "txt"], "max_files": 1}
    assert inputs["text"]["type"] == "plain_text_input" and inputs["text"]["multiline"] and inputs["text"]["max_length"] == 3000

    checking = submit(bot, form, file=shared["id"])
    assert checking["response_action"] == "update" and "確認しています" in blocks_text(checking["view"]["blocks"])
    bot.lazy.settle()
    preview = updated_form(stub_api, 2)
    said = blocks_text(preview["blocks"])
    assert "追加 2問" in said and "CTO" in said and FIRST.text in said
    assert "&lt;!channel&gt; ＊太字＊ &lt;@U0HACKER1&gt;" in said and "<!channel>" not in json.dumps(preview)
    assert problems({"view": preview}) == []
    # The file came through the Web API stand-in, with the bot token.
    assert stub_api.calls_to("files.info")[0].params["file"] == shared["id"]
    (download,) = stub_api.calls_to("download")
    assert download.token == BOT_TOKEN and download.path.startswith(f"/files-pri/{shared['id']}/download/")
    # Nothing is added before the admin confirms.
    assert approved(bot) == {}
    assert SNEAKY.text not in json.dumps(bot.answer("cto questions"))

    (confirm,) = buttons(preview["blocks"])
    assert confirm["action_id"] == "career.import_confirm" and confirm["text"]["text"] == "取り込む"
    assert press_in_view(bot, confirm["action_id"], confirm["value"], preview, user_id=ADMIN).status == 200
    bot.lazy.settle()
    done = blocks_text(updated_form(stub_api, 3)["blocks"])
    assert "取り込みました（追加 2問、更新 0問）" in done
    assert stub_api.calls_to("views.update")[2].params["view_id"] == preview["id"]
    stored = approved(bot)
    assert stored["t-0a1b2c3d"] == FIRST and SNEAKY in stored.values()

    # `/career cto questions` lists them now, in this workspace.
    listed = blocks_text(bot.answer("cto questions")["blocks"])
    assert FIRST.text in listed and "&lt;!channel&gt;" in listed
    # A second press of the same button imports nothing more.
    press_in_view(bot, confirm["action_id"], confirm["value"], preview, user_id=ADMIN)
    bot.lazy.settle()
    assert "取り込みは見つかりませんでした" in blocks_text(updated_form(stub_api, 4)["blocks"])
    assert len(approved(bot)) == 2


def test_the_export_comes_back_in_as_an_update_that_keeps_its_id(import_bot, stub_api):
    bot = import_bot
    questions = bot.core.team_questions
    assert questions.propose(MEMBER, FIRST, bot.clock(), team_id=TEAM_ID) == {}
    (pending,) = questions.pending(team_id=TEAM_ID)
    qid = questions.approve(ADMIN, pending.key, pending.version, bot.clock(), team_id=TEAM_ID).question.question_id
    assert "CTO、1問" in blocks_text(bot.answer("questions export cto", user_id=ADMIN)["blocks"])
    exported = stub_api.uploaded().decode()
    assert f"* *ID：{qid}*" in exported

    edited = exported.replace("* *深掘り：いま振り返ると、別の判断をしますか？*", "* *深掘り：同じ状況なら、次はどうしますか？*")
    shared = stub_api.shared.share("edited.md", edited.encode())
    submit(bot, open_form(bot, stub_api), file=shared["id"])
    bot.lazy.settle()
    preview = updated_form(stub_api, 2)
    assert "更新 1問" in blocks_text(preview["blocks"])
    (confirm,) = buttons(preview["blocks"])
    press_in_view(bot, confirm["action_id"], confirm["value"], preview, user_id=ADMIN)
    bot.lazy.settle()
    assert "更新 1問" in blocks_text(updated_form(stub_api, 3)["blocks"])
    assert approved(bot) == {qid: dataclasses.replace(FIRST, follow_up="同じ状況なら、次はどうしますか？")}


def test_a_pasted_block_with_bad_questions_says_each_and_adds_only_the_good_ones_once_confirmed(import_bot, stub_api):
    bot = import_bot
    pasted = (
        "## SRE：チームの質問\n\n"
        "1. **SLOはどう決めますか？ 具体的に教えてください。**\n"
        "   * *回答ポイント：SLIの選び方*\n   * *回答ポイント：目標値の合意*\n   * *レベル：初級*\n   * *種類：知識*\n\n"
        "2. **短い？**\n   * *回答ポイント：なし*\n   * *レベル：初級*\n   * *種類：知識*\n\n"
        "3. **IDが使えない質問はどうなりますか？**\n   * *回答ポイント：どうなる*\n   * *レベル：初級*\n   * *種類：知識*\n"
        "   * *ID：<@U0HACKER1>*\n"
    )
    form = open_form(bot, stub_api, user_id=WORKSPACE_ADMIN)
    assert "確認しています" in blocks_text(submit(bot, form, user_id=WORKSPACE_ADMIN, text=pasted)["view"]["blocks"])
    bot.lazy.settle()
    preview = updated_form(stub_api, 2)
    said = blocks_text(preview["blocks"])
    assert "追加 1問" in said and "取り込まない質問（2件）" in said
    assert "SRE Q2（9行目）：質問は10〜200文字で書いてください（いま3文字）。" in said
    assert "SRE Q3" in said and "&lt;@U0HACKER1&gt;" in said and problems({"view": preview}) == []
    assert stub_api.calls_to("files.info") == []
    assert approved(bot) == {}
    (confirm,) = buttons(preview["blocks"])
    press_in_view(bot, confirm["action_id"], confirm["value"], preview, user_id=WORKSPACE_ADMIN)
    bot.lazy.settle()
    assert "問題のあった2件は取り込んでいません" in blocks_text(updated_form(stub_api, 3)["blocks"])
    ((qid, added),) = approved(bot).items()
    assert qid.startswith("t-") and added.points == ("SLIの選び方", "目標値の合意")
    assert "SLOはどう決めますか" in blocks_text(bot.answer("sre questions")["blocks"])


def test_the_form_asks_for_a_file_or_a_paste_and_refuses_what_it_cannot_read(import_bot, stub_api):
    bot = import_bot
    form = open_form(bot, stub_api)
    assert submit(bot, form) == {"response_action": "errors", "errors": {"text": "ファイルを選ぶか、質問を貼り付けてください。"}}
    shared = stub_api.shared.share("a.md", b"## CTO\n")
    both = submit(bot, form, file=shared["id"], text="## CTO")
    assert both == {"response_action": "errors", "errors": {"text": "ファイルと貼り付けのどちらか一方にしてください。"}}

    big = stub_api.shared.share("big.md", b"#" * (MAX_IMPORT_BYTES + 1))
    submit(bot, form, file=big["id"])
    bot.lazy.settle()
    assert "ファイルが大きすぎます（200KBまで）" in blocks_text(updated_form(stub_api, 2)["blocks"])
    assert stub_api.calls_to("download") == []  # refused by its size in files.info, before any download

    binary = stub_api.shared.share("b.md", b"\xff\xfe\x00broken")
    submit(bot, form, file=binary["id"])
    bot.lazy.settle()
    assert "UTF-8 のテキストとして読めませんでした" in blocks_text(updated_form(stub_api, 3)["blocks"])

    # Slack's sign-in page instead of the file: the token lacks files:read (a workspace not reinstalled).
    stub_api.shared.content_type = "text/html"
    page = stub_api.shared.share("c.md", b"<html>sign in</html>")
    submit(bot, form, file=page["id"])
    bot.lazy.settle()
    assert "files:read" in blocks_text(updated_form(stub_api, 4)["blocks"])
    stub_api.script("files.info", (200, {}, {"ok": False, "error": "missing_scope", "needed": "files:read"}))
    submit(bot, form, file=page["id"])
    bot.lazy.settle()
    assert "再インストール" in blocks_text(updated_form(stub_api, 5)["blocks"])
    assert approved(bot) == {}


def test_a_non_admin_gets_a_sentence_and_no_file_is_read(import_bot, stub_api):
    bot = import_bot
    form = open_form(bot, stub_api, user_id=MEMBER)  # not known yet: the modal opens, then says no
    said = blocks_text(form["blocks"])
    assert "取り込めるのは管理者だけです" in said and "submit" not in form
    # Known now (users.info is cached): refused at once, without a modal.
    ack = bot.command("questions import", user_id=MEMBER, response_url=stub_api.response_url("again"))
    assert ack.status == 200 and "取り込めるのは管理者だけです" in stub_api.answer_at("again")["text"]
    assert len(stub_api.calls_to("views.open")) == 1
    # A submission forged from a form it never had: checked again, nothing downloaded.
    shared = stub_api.shared.share("x.md", render([Section("CTO", [("", FIRST)])]).encode())
    admin_form = open_form(bot, stub_api, updates_before=1)
    submit(bot, admin_form, user_id=MEMBER, file=shared["id"])
    bot.lazy.settle()
    assert "取り込めるのは管理者だけです" in blocks_text(updated_form(stub_api, 3)["blocks"])
    assert stub_api.calls_to("files.info") == [] and stub_api.calls_to("download") == []
    assert "書き出せるのは管理者だけです" in blocks_text(bot.answer("questions export", user_id=MEMBER)["blocks"])
    assert approved(bot) == {}


def test_a_forged_or_borrowed_confirmation_imports_nothing(import_bot, stub_api):
    bot = import_bot
    submit(bot, open_form(bot, stub_api), text=render([Section("CTO", [("", FIRST)])]))
    bot.lazy.settle()
    preview = updated_form(stub_api, 2)
    (confirm,) = buttons(preview["blocks"])
    key = confirm["value"]
    updates = 2
    for user_id, value, sentence in (
        (WORKSPACE_ADMIN, key, "取り込みは見つかりませんでした"),  # another admin's import
        (ADMIN, str(int(key) + 100), "取り込みは見つかりませんでした"),  # no such import
        (ADMIN, "1; DROP TABLE", "取り込みは見つかりませんでした"),  # not a key at all
        (MEMBER, key, "取り込めるのは管理者だけです"),  # not an admin
    ):
        press_in_view(bot, confirm["action_id"], value, preview, user_id=user_id)
        bot.lazy.settle()
        updates += 1
        assert sentence in blocks_text(updated_form(stub_api, updates)["blocks"]), user_id
        assert approved(bot) == {}
    press_in_view(bot, confirm["action_id"], key, preview, user_id=ADMIN)
    bot.lazy.settle()
    assert "追加 1問" in blocks_text(updated_form(stub_api, updates + 1)["blocks"])
    assert [d.text for d in approved(bot).values()] == [FIRST.text]
