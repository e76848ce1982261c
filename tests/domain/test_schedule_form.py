"""The schedule editor form: submitted values → the same request `/career schedule set` makes, or
one sentence per wrong field, on that field's block id."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from bot.domain import schedule_form as form
from bot.domain.schedule import ALL_DAYS, Digest, Remind, Reveal, Schedule
from bot.domain.schedule_input import ScheduleRequest, parse_schedule_set

ROLES = {"ciso", "sre", "all"}


def known(role: str) -> bool:
    return role in ROLES


def valid(**changes: str) -> dict[str, str]:
    values = {
        form.ROLE: "ciso",
        form.TIME: "09:00",
        form.TZ: "Asia/Tokyo",
        form.TZ_OTHER: "",
        form.DAYS: "mon,wed,fri",
        form.REVEAL: "+8h",
        form.ORDER: "adaptive",
        form.REMIND: "-1h",
        form.DIGEST: "fri-18:00",
        form.FEEDBACK: "on",
        form.QUESTIONS: "",
    }
    values.update(changes)
    return values


def test_a_valid_form_makes_the_request_the_text_command_makes():
    request = form.parse_form(valid(), known)
    typed = parse_schedule_set(
        "ciso 09:00 tz=Asia/Tokyo days=mon,wed,fri reveal=+8h order=adaptive feedback=on remind=-1h digest=fri-18:00".split(), "UTC"
    )
    assert request == typed
    assert request.remind == Remind(before=timedelta(hours=1))
    assert request.digest == Digest(day=4, at=time(18, 0))


def test_empty_reminder_and_digest_turn_them_off_rather_than_keeping_them():
    request = form.parse_form(valid(**{form.REMIND: "", form.DIGEST: "  "}), known)
    assert isinstance(request, ScheduleRequest)
    assert request.remind is None and request.digest is None


def test_the_free_text_zone_overrides_the_select():
    request = form.parse_form(valid(**{form.TZ_OTHER: "america/sao_paulo"}), known)
    assert isinstance(request, ScheduleRequest) and request.timezone == "America/Sao_Paulo"
    assert form.parse_form(valid(**{form.TZ_OTHER: "Mars/Olympus"}), known) == {
        form.TZ_OTHER: "タイムゾーン「Mars/Olympus」は見つかりません。Asia/Tokyo のような IANA 名（地域/都市）で指定してください。"
    }


def test_questions_all_and_feedback_off_and_rotation_are_read():
    request = form.parse_form(valid(**{form.QUESTIONS: "all", form.FEEDBACK: "off", form.ORDER: "rotation", form.DAYS: "月,水,金"}), known)
    assert isinstance(request, ScheduleRequest)
    assert request.all_questions is True and request.feedback is False and request.order == "rotation"
    assert request.days == frozenset({0, 2, 4})


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        (form.ROLE, "", "職種を選んでください。"),
        (form.ROLE, "astronaut", "職種「astronaut」は見つかりません。一覧から選んでください。"),
        (form.TIME, "25:00", "「25:00」は時刻として正しくありません。00:00〜23:59 で指定してください。"),
        (form.TIME, "", "投稿時刻を選んでください。"),
        (form.TZ, "", "タイムゾーンを選ぶか、その他の欄に入力してください。"),
        (form.DAYS, "", "曜日を1つ以上選んでください。"),
        (
            form.REVEAL,
            "tomorrow",
            "回答ポイントの公開は HH:MM（投稿と同じ日の時刻）か +30m / +2h（投稿の何分・何時間後）の形で入力してください。「tomorrow」は読めませんでした。",
        ),
        (form.REVEAL, "08:30", "回答ポイントの公開（08:30）は投稿（09:00）より後の時刻にしてください。"),
        (form.ORDER, "random", "出題順を一覧から選んでください。「random」は読めませんでした。"),
        (
            form.REMIND,
            "+1h",
            "リマインダーは -1h / -30m（公開の何時間・何分前か）か 20:00 のような時刻で入力してください（やめるときは空欄に）。「+1h」は読めませんでした。",
        ),
        (
            form.DIGEST,
            "fri",
            "週間まとめは fri-18:00 のように曜日と時刻を1つずつ入力してください（やめるときは空欄に）。「fri」は読めませんでした。",
        ),
        (form.FEEDBACK, "maybe", "回答のチェックのオン・オフを選んでください。「maybe」は読めませんでした。"),
        (form.QUESTIONS, "some", "出題範囲は一覧から選ぶか、空欄にしてください。「some」は読めませんでした。"),
    ],
)
def test_each_wrong_field_gets_its_own_sentence_on_its_own_block(field, value, sentence):
    assert form.parse_form(valid(**{field: value}), known) == {field: sentence}


def test_every_wrong_field_is_reported_at_once():
    errors = form.parse_form(valid(**{form.TIME: "9時", form.DIGEST: "someday-18:00", form.ROLE: ""}), known)
    assert set(errors) == {form.TIME, form.DIGEST, form.ROLE}


def test_a_missing_field_reads_as_empty_and_an_overlong_one_is_cut_before_it_is_quoted():
    values = valid()
    del values[form.ORDER]
    assert form.parse_form(values, known) == {form.ORDER: "出題順を選んでください。"}
    errors = form.parse_form(valid(**{form.TIME: "9" * 5000}), known)
    assert len(errors[form.TIME]) < 300


def test_the_form_opens_with_the_schedule_as_it_stands_and_submitting_it_unchanged_keeps_it():
    schedule = Schedule(
        channel_id="C0STUDY01",
        role="sre",
        post_time=time(7, 30),
        timezone="Europe/Lisbon",
        days=frozenset({5, 6}),
        reveal=Reveal(at=time(21, 0)),
        all_questions=True,
        order="rotation",
        feedback=False,
        remind=Remind(at=time(20, 0)),
        digest=Digest(day=6, at=time(19, 0)),
        effective_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    values = form.initial_values(schedule, "Asia/Tokyo")
    # Not a common zone: the select lists it and opens on it, and the free-text field is empty
    # (text there would override a zone the admin picks from the list).
    assert values[form.TZ] == "Europe/Lisbon" and values[form.TZ_OTHER] == ""
    assert form.zone_choices("Europe/Lisbon")[-1] == ("Europe/Lisbon", "現在の設定") and form.zone_choices("Asia/Tokyo") == list(
        form.COMMON_ZONES
    )
    assert values[form.DAYS] == "sat,sun" and values[form.REMIND] == "20:00" and values[form.DIGEST] == "sun-19:00"
    request = form.parse_form(values, known)
    assert request == ScheduleRequest(
        role="sre",
        post_time=time(7, 30),
        timezone="Europe/Lisbon",
        days=frozenset({5, 6}),
        reveal=Reveal(at=time(21, 0)),
        all_questions=True,
        order="rotation",
        feedback=False,
        remind=Remind(at=time(20, 0)),
        digest=Digest(day=6, at=time(19, 0)),
        levels=frozenset(),
        common_every=0,  # the form shows every field, so it says these too
    )


def test_a_new_schedule_opens_with_the_defaults_and_needs_only_a_role():
    values = form.initial_values(None, "Asia/Tokyo")
    assert values[form.TZ] == "Asia/Tokyo" and values[form.REVEAL] == "+8h" and values[form.REMIND] == ""
    assert form.parse_form(values, known) == {form.ROLE: "職種を選んでください。"}
    request = form.parse_form({**values, form.ROLE: "all"}, known)
    assert isinstance(request, ScheduleRequest)
    assert request.days == ALL_DAYS and request.post_time == time(9, 0) and request.order == "adaptive" and request.feedback is True


def test_only_the_bare_schedule_word_opens_the_form():
    assert form.opens_form("schedule") and form.opens_form(" スケジュール ") and form.opens_form("Schedule")
    assert not form.opens_form("schedule show") and not form.opens_form("ciso") and not form.opens_form("")


def test_channel_ids_are_public_or_private_channels_only():
    assert form.is_channel_id("C0STUDY01") and form.is_channel_id("G0PRIVATE1")
    assert not form.is_channel_id("D0DIRECT1") and not form.is_channel_id("c0study01") and not form.is_channel_id("<#C0STUDY01>")


def test_a_reminder_that_could_never_come_is_refused_under_the_reminder_field():
    errors = form.parse_form(valid(**{form.REVEAL: "+30m", form.REMIND: "-1h"}), known)
    assert errors == {
        form.REMIND: "リマインダー（公開の1時間前）は、投稿（09:00）から回答ポイントの公開（投稿の30分後）までの間になるように指定してください（やめるときは空欄に）。"
    }
    assert isinstance(form.parse_form(valid(**{form.REVEAL: "+30m", form.REMIND: "-10m"}), known), ScheduleRequest)


def test_the_level_checkboxes_and_the_common_frequency_make_what_level_and_common_make():
    request = form.parse_form(valid(**{form.LEVEL: "junior,middle", form.COMMON: "3"}), known)
    typed = parse_schedule_set(
        "ciso 09:00 tz=Asia/Tokyo days=mon,wed,fri reveal=+8h order=adaptive feedback=on remind=-1h digest=fri-18:00 level=初級,中級 common=3".split(),
        "UTC",
    )
    assert request == typed
    # Nothing ticked: every level; the frequency 0: no common questions.
    request = form.parse_form(valid(**{form.LEVEL: "", form.COMMON: "0"}), known)
    assert request.levels == frozenset() and request.common_every == 0
    assert form.parse_form(valid(**{form.COMMON: "7"}), known) == {
        form.COMMON: "共通の質問の頻度は一覧から選んでください。「7」は読めませんでした。"
    }
