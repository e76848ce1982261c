"""Block Kit for the schedule editor modal: pure functions from the form's values to views.

A modal holds at most 100 blocks; the editor uses a dozen. Element action ids are all "value", so
the adapter reads each input at `state.values[block_id]["value"]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain import schedule_form as form
from bot.domain.schedule import DAY_LABELS_JA, DAY_NAMES
from bot.domain.schedule_input import MAX_COMMON_EVERY
from bot.domain.text import truncate
from bot.usecases.schedule_admin import ScheduleView
from bot.views.blocks import modal_view, plain_text, section_text
from bot.views.drill_blocks import schedule_summary

View = dict[str, Any]

CALLBACK_ID = "schedule_editor"
ACTION = "value"
TITLE = "ドリルのスケジュール"
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75


def _option(value: str, label: str) -> dict:
    return {"text": plain_text(truncate(label, MAX_OPTION_TEXT)), "value": value}


def _modal(blocks: list[dict], callback_id: str, submit: str | None = None, metadata: str = "", close: str = "閉じる") -> View:
    return modal_view(blocks, title=TITLE, callback_id=callback_id, submit=submit, close=close, metadata=metadata)


def notice_modal(mrkdwn: str, callback_id: str = f"{CALLBACK_ID}_notice") -> View:
    """A modal that only says something (loading, saving, the result, a refusal): no submit."""
    return _modal([section_text(mrkdwn)], callback_id)


def loading_modal() -> View:
    """What opens at once, while the channel's schedule is read."""
    return notice_modal("⏳ 読み込み中です…", callback_id=f"{CALLBACK_ID}_loading")


def saving_modal() -> View:
    return notice_modal("⏳ 保存しています…", callback_id=f"{CALLBACK_ID}_saving")


def _input(block_id: str, element: dict, optional: bool = False, hint: str | None = None) -> dict:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(form.LABELS[block_id]),
        "element": {**element, "action_id": ACTION},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint)
    return block


def _text_input(value: str, placeholder: str) -> dict:
    element = {"type": "plain_text_input", "placeholder": plain_text(placeholder), "max_length": form.MAX_VALUE_LENGTH}
    if value:
        element["initial_value"] = value
    return element


def _select(options: Sequence[tuple[str, str]], value: str, placeholder: str) -> dict:
    choices = [_option(v, label) for v, label in options]
    element = {"type": "static_select", "options": choices, "placeholder": plain_text(placeholder)}
    chosen = [c for c in choices if c["value"] == value]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def _choices(kind: str, options: Sequence[tuple[str, str]], chosen: set[str]) -> dict:
    items = [_option(v, label) for v, label in options]
    element: dict = {"type": kind, "options": items}
    picked = [i for i in items if i["value"] in chosen]
    if picked:
        element["initial_options" if kind == "checkboxes" else "initial_option"] = picked if kind == "checkboxes" else picked[0]
    return element


def editor_modal(values: dict[str, str], roles: Sequence[tuple[str, str]], metadata: str, channel_id: str | None) -> View:
    """The form, filled with `values` (see schedule_form.initial_values). `channel_id` None: the form
    starts with a channel picker (a new schedule)."""
    blocks: list[dict] = []
    if channel_id is None:
        blocks.append(
            _input(
                form.CHANNEL,
                {
                    "type": "conversations_select",
                    "placeholder": plain_text("チャンネルを選ぶ"),
                    "filter": {"include": ["public", "private"], "exclude_bot_users": True, "exclude_external_shared_channels": True},
                },
                hint="ドリルを投稿するチャンネル。ボットを招待しておいてください。",
            )
        )
    else:
        blocks.append(section_text(f"*対象のチャンネル:* <#{channel_id}>"))
    if len(roles) <= MAX_OPTIONS:
        blocks.append(_input(form.ROLE, _select(roles, values.get(form.ROLE, ""), "職種を選ぶ")))
    else:
        # More roles than a select can list: typed, as `/career schedule set` takes them.
        blocks.append(
            _input(
                form.ROLE, _text_input(values.get(form.ROLE, ""), "ciso、sre、all など"), hint="職種の名前か all（全職種ローテーション）"
            )
        )
    time_element: dict = {"type": "timepicker", "placeholder": plain_text("時刻を選ぶ")}
    if values.get(form.TIME):
        time_element["initial_time"] = values[form.TIME]
    blocks.append(_input(form.TIME, time_element))
    zones = [(name, f"{name}（{place}）") for name, place in form.zone_choices(values.get(form.TZ, ""))]
    blocks.append(_input(form.TZ, _select(zones, values.get(form.TZ, ""), "タイムゾーンを選ぶ"), optional=True))
    blocks.append(
        _input(
            form.TZ_OTHER,
            _text_input(values.get(form.TZ_OTHER, ""), "例: America/Sao_Paulo"),
            optional=True,
            hint="一覧にない IANA タイムゾーン（地域/都市）。入力すると上の選択より優先されます。",
        )
    )
    days = [(name, f"{label}曜") for name, label in zip(DAY_NAMES, DAY_LABELS_JA, strict=False)]
    blocks.append(_input(form.DAYS, _choices("checkboxes", days, set(values.get(form.DAYS, "").split(",")))))
    blocks.append(
        _input(
            form.REVEAL,
            _text_input(values.get(form.REVEAL, ""), "+8h"),
            hint="HH:MM（投稿と同じ日の時刻）か、+30m / +2h（投稿の何分・何時間後）",
        )
    )
    orders = [("adaptive", "苦手な質問が復習に戻る（adaptive）"), ("rotation", "全問を一巡してから繰り返す（rotation）")]
    blocks.append(_input(form.ORDER, _choices("radio_buttons", orders, {values.get(form.ORDER, "")})))
    blocks.append(
        _input(
            form.REMIND,
            _text_input(values.get(form.REMIND, ""), "-1h"),
            optional=True,
            hint="公開前にスレッドで一度だけお知らせ: -1h / -30m（公開の何時間・何分前）か 20:00 のような時刻。空欄でオフ",
        )
    )
    blocks.append(
        _input(
            form.DIGEST,
            _text_input(values.get(form.DIGEST, ""), "fri-18:00"),
            optional=True,
            hint="週に一度の振り返りを投稿する曜日と時刻（例: fri-18:00）。空欄でオフ",
        )
    )
    switches = [("on", "オン: 回答がどの回答ポイントに触れたかを公開後に本人だけに知らせる"), ("off", "オフ")]
    blocks.append(_input(form.FEEDBACK, _choices("radio_buttons", switches, {values.get(form.FEEDBACK, "")})))
    scope = [("all", "回答ポイントのない質問も出題する")]
    blocks.append(_input(form.QUESTIONS, _choices("checkboxes", scope, {values.get(form.QUESTIONS, "")}), optional=True))
    levels = [(value, level.value) for level, value in form.LEVEL_VALUES.items()]
    blocks.append(
        _input(
            form.LEVEL,
            _choices("checkboxes", levels, set(values.get(form.LEVEL, "").split(","))),
            optional=True,
            hint="出題する質問のレベル。何も選ばなければすべてのレベル",
        )
    )
    every = [("0", "出題しない"), *((str(n), f"{n}回に1回" if n > 1 else "毎回") for n in range(1, MAX_COMMON_EVERY + 1))]
    blocks.append(
        _input(
            form.COMMON,
            _select(every, values.get(form.COMMON, "0") or "0", "頻度を選ぶ"),
            optional=True,
            hint="自己紹介や転職理由など、どの職種でも聞かれる質問を何回に1回出題するか",
        )
    )
    return _modal(blocks, CALLBACK_ID, submit="保存", metadata=metadata, close="キャンセル")


def field_errors_text(errors: dict[str, str]) -> str:
    """Per-field errors as lines of text, the way the modal shows them under each input (the
    console's rendering of a rejected form). Plain text: the caller escapes for mrkdwn if needed."""
    return "\n".join(f"{form.LABELS.get(field, field)}: {sentence}" for field, sentence in errors.items())


def saved_modal(view: ScheduleView, channel_id: str, bot_missing: bool = False) -> View:
    """What the modal says once the schedule is saved: the schedule as `schedule show` gives it."""
    text = f"✅ <#{channel_id}> のドリルのスケジュールを保存しました。\n{schedule_summary(view)}"
    blocks = [section_text(text)]
    if bot_missing:
        blocks.append(
            section_text("⚠️ ボットがまだこのチャンネルに参加していません。`/invite @career-drill` で招待しないとドリルを投稿できません。")
        )
    return _modal(blocks, f"{CALLBACK_ID}_saved")
