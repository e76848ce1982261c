"""What an admin types into `/career schedule …`, through the real HTTP app: the shapes people write
are read, and a mistyped subcommand is named with the one that was probably meant."""

from __future__ import annotations

import pytest

from bot.testing import ADMIN
from bot.testing.reading import blocks_text


@pytest.mark.parametrize(
    "days", ["月水金", "月水金曜日", "月曜水曜金曜", "月,水,金", "月・水・金"], ids=["run", "run-youbi", "each-you", "commas", "dots"]
)
def test_days_written_as_one_word_of_day_names_are_read(drill_bot, days):
    answer = blocks_text(drill_bot.answer(f"schedule set ciso 09:00 tz=UTC days={days}", user_id=ADMIN)["blocks"])
    assert "ドリルのスケジュールを設定しました" in answer and "月・水・金曜 09:00（UTC）" in answer


@pytest.mark.parametrize(
    "typed, meant",
    [("schedule sett ciso 09:00", "set"), ("schedule shwo", "show"), ("schedule pasue", "pause"), ("drill nwo", "now")],
    ids=["sett", "shwo", "pasue", "nwo"],
)
def test_a_mistyped_subcommand_is_named_with_the_one_meant_and_changes_nothing(drill_bot, typed, meant):
    answer = drill_bot.answer(typed, user_id=ADMIN)
    text = blocks_text(answer["blocks"])
    wrong = typed.split()[1]
    assert f"`{wrong}` というコマンドはありません。`{typed.split()[0]} {meant}` のことですか？" in text
    assert answer["response_type"] == "ephemeral"
    assert "スケジュールがありません" in blocks_text(drill_bot.answer("schedule show")["blocks"])


def test_a_subcommand_like_no_other_is_named_and_the_commands_are_listed(drill_bot):
    text = blocks_text(drill_bot.answer("schedule xyzzy", user_id=ADMIN)["blocks"])
    assert "`xyzzy` というコマンドはありません。" in text and "のことですか" not in text
    assert "/career schedule set" in text  # the list of what there is


def test_schedule_help_is_the_list_without_a_complaint(drill_bot):
    text = blocks_text(drill_bot.answer("schedule help", user_id=ADMIN)["blocks"])
    assert "/career schedule set" in text and "コマンドはありません" not in text
