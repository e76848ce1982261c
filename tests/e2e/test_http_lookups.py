"""Signed Slack requests against the real HTTP app, with the Web API played by a local stand-in."""

from __future__ import annotations

import json
import time

import pytest

from bot.testing import CONTENT_DIR
from bot.testing.http import request
from bot.testing.reading import blocks_text
from bot.testing.signing import action_body, command_body, signed_headers


def test_career_ciso_answers_in_the_ack_with_the_role_card(bot):
    response = bot.command("ciso")
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    text = blocks_text(body["blocks"])
    assert "CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション" in text
    assert "セキュリティエンジニア → セキュリティマネージャー → CISO" in text
    assert "IT統制・監査部門 → 情報セキュリティ責任者 → CISO" in text


@pytest.mark.parametrize("name", ["ＣＩＳＯ", "最高情報セキュリティ責任者", "CISO", "ciso_project_position"])
def test_every_name_for_ciso_opens_the_same_card(bot, name):
    assert bot.answer(name)["blocks"] == bot.answer("ciso")["blocks"]


def test_questions_section_lists_all_twenty(bot):
    text = blocks_text(bot.answer("ciso questions")["blocks"])
    assert all(f"*Q{n}.*" in text for n in range(1, 21))


def test_japanese_section_names(bot):
    text = blocks_text(bot.answer("ciso キャリアパス")["blocks"])
    assert "ストーリー：セキュリティ現場から経営戦略へ" in text


def test_channel_ping_is_escaped(bot):
    body = bot.answer("<!channel>")
    raw = json.dumps(body, ensure_ascii=False)
    assert "<!channel>" not in raw
    assert "&lt;!channel&gt;" in raw
    assert "見つかりませんでした" in raw


def test_list_and_help(bot):
    listing = blocks_text(bot.answer("list")["blocks"])
    # Every file is a role but common.md, the questions every interview asks.
    assert f"職種一覧（{len(list(CONTENT_DIR.glob('*.md'))) - 1}件）" in listing and "`cto`" in listing and "`common`" not in listing
    assert "/career list" in blocks_text(bot.answer("")["blocks"])


def test_reveal_button_answers_only_the_presser_through_response_url(bot, stub_api):
    ack = bot.press("career.reveal_points.0", "ciso_project_position|1")
    assert ack.status == 200
    sent = stub_api.wait_for("response_url")
    assert len(sent) == 1
    params = sent[0].params
    assert params["response_type"] == "ephemeral" and params["replace_original"] is True
    assert "経営と連携したセキュリティ戦略策定" in blocks_text(params["blocks"])


def test_share_button_posts_in_channel(bot, stub_api):
    bot.press("career.share.0", "card|cto")
    params = stub_api.wait_for("response_url")[0].params
    assert params["response_type"] == "in_channel"
    assert "<@U0MEMBER1> さんが共有しました" in blocks_text(params["blocks"])


def test_related_role_button_opens_that_role(bot, stub_api):
    bot.press("career.open_role.1", "security_engineer")
    params = stub_api.wait_for("response_url")[0].params
    assert "セキュリティエンジニア" in params["blocks"][0]["text"]["text"]


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Signature": "v0=" + "0" * 64},  # forged
        {"X-Slack-Signature": ""},  # missing
        {"X-Slack-Request-Timestamp": str(int(time.time()) - 600)},  # stale (10 min, Bolt allows 5), signed correctly below
    ],
)
def test_bad_signatures_get_401_and_no_answer(bot, stub_api, headers):
    body = command_body("ciso", response_url=stub_api.response_url())
    signed = signed_headers(body, "application/x-www-form-urlencoded")
    if "X-Slack-Request-Timestamp" in headers:
        signed = signed_headers(body, "application/x-www-form-urlencoded", timestamp=int(headers["X-Slack-Request-Timestamp"]))
    else:
        signed.update(headers)
    response = request(bot.url + "/slack/events", body, signed)
    assert response.status == 401
    assert "CISO" not in response.text


def test_signed_with_another_secret_is_rejected(bot):
    body = command_body("ciso")
    response = request(bot.url + "/slack/events", body, signed_headers(body, "application/x-www-form-urlencoded", secret="other"))
    assert response.status == 401


def test_forged_button_is_rejected_before_any_answer(bot, stub_api):
    body = action_body("career.share.0", "card|cto", response_url=stub_api.response_url())
    headers = signed_headers(body, "application/x-www-form-urlencoded")
    headers["X-Slack-Signature"] = "v0=" + "f" * 64
    assert request(bot.url + "/slack/events", body, headers).status == 401
    time.sleep(0.1)
    assert stub_api.calls_to("response_url") == []


def test_healthz_reports_loaded_content_without_secrets(bot):
    response = request(bot.url + "/healthz")
    assert response.status == 200
    assert response.json() == {"ok": True, "roles": len(list(CONTENT_DIR.glob("*.md"))) - 1}  # common.md is no role
    assert "xoxb" not in response.text and "secret" not in response.text


def test_unknown_paths_and_methods(bot):
    assert request(bot.url + "/nope").status == 404
    assert request(bot.url + "/slack/events").status == 405


def test_repeated_lookups_answer_the_same_and_practice_questions_still_vary(bot):
    first, again = bot.command("ciso"), bot.command("ciso")
    assert first.status == again.status == 200 and first.body == again.body
    assert first.json()["response_type"] == "ephemeral" and "CISO（最高情報セキュリティ責任者）" in blocks_text(first.json()["blocks"])
    escaped = bot.command("<!channel> nope").text
    assert "<!channel>" not in escaped and escaped == bot.command("<!channel> nope").text
    practice = {bot.command("ciso question").text for _ in range(10)}
    assert len(practice) > 1  # drawn at random each time, never served from the cache
