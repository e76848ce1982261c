"""The bot in a terminal: the same use-cases and Block Kit renderers as Slack, shown as text.

Type `/career ciso` (the `/career` prefix is optional), a button's number to press it, or `quit`.
The drill works too, on a throw-away database with a clock you move yourself:
`:reply [user] [text]` answers the latest drill in its thread (a text is judged for answer
feedback), `:grade <1-4|忘れた|…> [user]` grades the latest revealed drill (the reveal's buttons grade it as you), `:next` jumps to the next post,
reminder, reveal or weekly digest, `:wait 30m|2h|1d|30d` moves time on, `:time` shows it, `:home`
shows your App Home and `:schedule-form key=value …` submits the schedule editor. A line starting with `#` is a comment.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol, TextIO

from sqlalchemy import select

from bot.commands.home_tab import HomeTab
from bot.commands.router import CommandRouter
from bot.commands.schedule_editor import Invalid, Refused, ScheduleEditor, Valid
from bot.config import Settings
from bot.console_chat import CONSOLE_DM, ConsoleChat
from bot.domain import schedule_form
from bot.domain.drill import DrillStatus
from bot.domain.memory import GRADE_LABELS, Grade
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import Message
from bot.store import drills
from bot.store.models import DrillRow
from bot.usecases.mock_interviews import Taken
from bot.views import drill_blocks
from bot.views.action_ids import Kind, action_id, encode
from bot.views.modal_blocks import field_errors_text
from bot.views.plaintext import mrkdwn_to_text, render

CONSOLE_USER = "UCONSOLE1"
CONSOLE_CHANNEL = "CCONSOLE1"
PROMPT = "career> "
_WAIT = re.compile(r"^(\d+)(m|min|分|h|時間|d|日)$")
_WAIT_STEPS = {
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "分": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "時間": timedelta(hours=1),
    "d": timedelta(days=1),
    "日": timedelta(days=1),
}
_COMMENT = re.compile(r"(?:^|\s)#.*$", re.S)
# `:wait` and `:next` jump from one due instant to the next; a month of daily drills is about 60.
_MAX_JUMPS = 5000
_MAX_WAIT = timedelta(days=366)
_COMMANDS = ("next", "wait", "reply", "answer", "grade", "time", "home", "schedule-form", "help", "quit")
_LEAVE = ("quit", "exit", "q", ":q", ":quit", ":exit")
_REPLACED = "[↻ 押したメッセージをこの内容に置き換えました]"
_GRADE_HELP = "1〜4 または " + "・".join(GRADE_LABELS[g] for g in Grade)
HELP = (
    "console のコマンド:\n"
    "  :next                      次の予定（投稿・リマインダー・回答ポイントの公開・週間まとめ）まで時刻を進める\n"
    "  :wait 30m|2h|1d|30d        時刻を進める（1日・2時間・30分 とも書けます。途中の投稿と公開はすべて順に行われます）\n"
    "  :reply [ユーザーID] [回答]  回答を受け付けているドリルのスレッドに回答（省略するとあなた。回答の文章を書くと公開時にチェック結果が届きます）\n"
    f"  :grade <評価> [ユーザーID] 最後に公開されたドリルを自己評価（評価は {_GRADE_HELP}、省略するとあなた）\n"
    "  :answer <回答>             DM に回答を書く（/career mock cto 3 で始めた模擬面接の回答。「以上です」「スキップ」「終了」も）\n"
    "  :time                      いまの時刻\n"
    "  :home                      あなたの App Home（番号で職種・復習・一時停止／再開のボタンを押せます）\n"
    "  番号                       直前に表示されたボタンを押す（回答ポイント公開時の自己評価ボタンも）\n"
    "  /career review             あなたの復習、/career stats であなたの記録\n"
    "  /career leaderboard        このチャンネルのランキング、/career export で記録の CSV\n"
    "  :schedule-form 項目=値 …   スケジュールの編集フォームを送信（例: :schedule-form role=ciso time=09:00 remind=-1h digest=fri-18:00）\n"
    "  :quit                      終了（quit や Ctrl-D でも終了します）\n"
)


_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
SCHEDULE_FORM_EXAMPLE = ":schedule-form role=ciso time=09:00 tz=Asia/Tokyo days=月,水,金 reveal=+8h remind=-1h digest=fri-18:00"


class ManualClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class ConsoleBot(Protocol):
    """The parts of the running bot the console drives (built by bot.console_app)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def router(self) -> CommandRouter: ...
    @property
    def cycle(self) -> Any: ...
    @property
    def engine(self) -> Any: ...
    @property
    def replies(self) -> Any: ...
    @property
    def schedules(self) -> Any: ...
    @property
    def mock(self) -> Any: ...
    @property
    def mock_commands(self) -> Any: ...


class Console:
    def __init__(
        self,
        router: CommandRouter,
        out: TextIO = sys.stdout,
        bot: ConsoleBot | None = None,
        clock: ManualClock | None = None,
        chat: ConsoleChat | None = None,
        schedule_editor: Callable[[], ScheduleEditor] | None = None,
        home_tab: Callable[[], HomeTab] | None = None,
    ):
        self.router = router
        self.out = out
        self.bot = bot
        self.clock = clock
        self._make_schedule_editor = schedule_editor
        self._make_home_tab = home_tab
        self.buttons: list[dict] = []
        self._home_tab: HomeTab | None = None  # the App Home's interactions, built on first `:home`
        self._schedule_editor: ScheduleEditor | None = None  # the schedule editor's, on first `:schedule-form`
        self.replies = 0
        if chat is not None:
            chat.on_buttons = self._take_buttons

    def _take_buttons(self, buttons: list[dict]) -> None:
        self.buttons = buttons

    def show(self, message: Message, viewer: str = CONSOLE_USER, pressed: bool = False) -> None:
        """Print an answer. `pressed`: it answers a button, so `replace_original` takes the pressed
        message's place (and its buttons); otherwise it is a new message below."""
        text, buttons = render(message.blocks)
        if message.ephemeral:
            where = "（あなただけに表示）" if viewer == CONSOLE_USER else f"（{viewer} だけに表示）"
        else:
            where = "（DM）" if message.edits_original else "（チャンネルに投稿）"
        replaced = pressed and message.replace_original
        self.out.write(f"{_REPLACED}\n" if replaced else "")
        self.out.write(f"{text}\n  {where}\n")
        if buttons or replaced:
            self.buttons = buttons

    def press(self, button: dict, user_id: str = CONSOLE_USER) -> None:
        if button.get("command"):  # a Home button: what the command it stands for answers
            self.show(
                self.router.handle_command(button["command"], user_id=user_id, channel_id=CONSOLE_CHANNEL, team_id=SINGLE_WORKSPACE),
                viewer=user_id,
            )
            self.tick()
            return
        answer = self.router.handle_action(
            button["action_id"], button["value"], user_id=user_id, channel_id=CONSOLE_CHANNEL, team_id=SINGLE_WORKSPACE
        )
        self.show(answer, viewer=user_id, pressed=True)

    def tick(self) -> None:
        if self.bot is not None and self.clock is not None:
            self.bot.cycle.tick(self.clock())

    def handle(self, line: str) -> bool:
        """Handle one line; False means the user asked to leave."""
        line = _COMMENT.sub("", line).strip()  # `# …` starts a comment, alone or after a command
        if not line:
            return True
        if line.split()[0] in _LEAVE:
            return False
        if line.startswith(":"):
            self._console_command(line[1:].split())
            return True
        if line.isdigit():  # always a button's number: no role is named by a number
            self._press_number(int(line))
            return True
        if line.startswith("/"):
            name, _, rest = line.partition(" ")
            if name != "/career":
                self.out.write(f"{name} というコマンドはありません。`/career help` をお試しください。\n")
                return True
            line = rest
        self.show(self.router.handle_command(line, user_id=CONSOLE_USER, channel_id=CONSOLE_CHANNEL, team_id=SINGLE_WORKSPACE))
        if schedule_form.opens_form(line):
            # In Slack this opens the schedule editor; here it shows the schedule, and says how.
            self.out.write(
                f"  （Slack ではスケジュールの編集フォームが開きます。console では `{SCHEDULE_FORM_EXAMPLE}` のように送信できます）\n"
            )
        self.tick()
        return True

    def _press_number(self, number: int) -> None:
        if not self.buttons:
            self.out.write(
                f"いま押せるボタンがないため、{number} 番は押せません。`/career ciso` のように職種を表示すると、そのボタンを番号で押せます。\n"
            )
        elif not 1 <= number <= len(self.buttons):
            self.out.write(f"{number} 番のボタンはありません。ボタンは 1〜{len(self.buttons)} の番号で選んでください。\n")
        else:
            self.press(self.buttons[number - 1])

    def _console_command(self, words: list[str]) -> None:
        name = words[0] if words else "help"
        if name not in _COMMANDS:
            close = difflib.get_close_matches(name, _COMMANDS, n=1, cutoff=0.6)
            hint = f"`:{close[0]}` のことですか？" if close else "`:help` で一覧を表示できます。"
            self.out.write(f"`:{name}` という console のコマンドはありません。{hint}\n")
            return
        if name == "help":
            self.out.write(HELP)
            return
        if self.clock is None or self.bot is None:
            self.out.write("この console ではドリルを試せません。\n")
            return
        if name == "time":
            self.out.write(f"いまの時刻: {self._now_text()}\n")
        elif name == "home":
            self._home()
        elif name == "wait":
            self._wait(words[1:])
        elif name == "next":
            target = self._next_event()
            if target is None:
                self.out.write("この先の予定はありません。`/career schedule set ciso 09:00` でドリルを設定できます。\n")
                return
            self._walk_to(target)
            self.out.write(f"次の予定まで時刻を進めました: {self._now_text()}\n")
        elif name == "reply":
            # With no user given, you answer: `/career stats` then shows your own record. Words
            # after it are the reply's text, judged for answer feedback and then forgotten.
            rest = words[1:]
            user = rest.pop(0) if rest and _USER_ID.match(rest[0]) else CONSOLE_USER
            self._reply(user, " ".join(rest))
        elif name == "answer":
            self._answer(" ".join(words[1:]))
        elif name == "grade" and len(words) in (2, 3) and Grade.parse(words[1]) is not None:
            self._grade(Grade.parse(words[1]), words[2] if len(words) == 3 else CONSOLE_USER)  # type: ignore[arg-type]
        elif name == "grade":
            self.out.write(f"`:grade <評価> [ユーザーID]` の評価は {_GRADE_HELP} のどれかです。例: `:grade 忘れた UAKI00001`\n")
        elif name == "schedule-form":
            self._schedule_form(words[1:])

    # ------------------------------------------------------------------ the clock

    def _wait(self, words: list[str]) -> None:
        assert self.clock is not None
        if len(words) != 1:
            self.out.write("`:wait` には進める長さを1つ指定してください（例: `:wait 30m`、`:wait 2h`、`:wait 1d`）。\n")
            return
        match = _WAIT.match(words[0].lower())
        if match is None:
            self.out.write(f"`:wait` の長さ「{words[0]}」は読めません。30m、2h、1d（分・時間・日）のように数字と単位で指定してください。\n")
            return
        amount, unit = match.groups()
        if int(amount) > _MAX_WAIT // _WAIT_STEPS[unit]:  # compared before multiplying: 10**20 days overflow a timedelta
            self.out.write(f"`:wait` で一度に進められるのは{_MAX_WAIT.days}日までです。{_MAX_WAIT.days}日だけ進めます。\n")
            step = _MAX_WAIT
        else:
            step = _WAIT_STEPS[unit] * int(amount)
        self._walk_to(self.clock() + step)
        self.out.write(f"時刻を進めました: {self._now_text()}\n")

    def _walk_to(self, end: datetime) -> None:
        """Move the clock to `end`, stopping at every instant something is due on the way (a post,
        a reveal, a retry) and ticking there, so each post and reveal happens once, in order, at
        its own time. A month of daily drills is some sixty ticks, not one per minute."""
        assert self.clock is not None and self.bot is not None
        for _ in range(_MAX_JUMPS):  # bounded: a tick that keeps something due forever cannot loop
            now = self.clock.now
            if now >= end:
                return
            due = self.bot.cycle.next_due(now)
            self.clock.now = due if due is not None and due < end else end
            self.tick()

    def _next_event(self) -> datetime | None:
        """The next instant something happens: a post, a reveal, a retry."""
        assert self.clock is not None and self.bot is not None
        return self.bot.cycle.next_due(self.clock())

    def _now_text(self) -> str:
        assert self.clock is not None and self.bot is not None
        now = self.clock()
        view = self.bot.schedules.show(CONSOLE_CHANNEL, now, team_id=SINGLE_WORKSPACE)
        zone = view.schedule.timezone if view else self.bot.settings.default_timezone
        from zoneinfo import ZoneInfo

        return f"{now.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}（{now:%Y-%m-%d %H:%M} UTC）"

    # ------------------------------------------------------------------ the schedule editor

    def _schedule_form(self, words: list[str]) -> None:
        """Submit the schedule editor as a form, as Slack's modal would: the fields not given keep
        what the form opens with (the channel's schedule, or the defaults), the same validation
        answers per field, and a valid form goes through the same use-case, marked as the modal's."""
        assert self.bot is not None and self.clock is not None
        fields = [f for f in schedule_form.FIELDS if f != schedule_form.CHANNEL]
        given: dict[str, str] = {}
        for word in words:
            key, sep, value = word.partition("=")
            if not sep or key not in fields:
                self.out.write(f"`:schedule-form` の項目は {'、'.join(f + '=' for f in fields)} です。例: {SCHEDULE_FORM_EXAMPLE}\n")
                return
            given[key] = value
        editor = self._editor()
        opened = editor.form(CONSOLE_USER, CONSOLE_CHANNEL, team_id=SINGLE_WORKSPACE)
        if isinstance(opened, Refused):
            self._refused(opened)
            return
        values = dict(opened.values)
        if schedule_form.TZ in given:
            values[schedule_form.TZ_OTHER] = ""  # a zone given replaces the one the form opened with
        values.update(given)
        checked = editor.check(opened.opened, CONSOLE_USER, values)
        if isinstance(checked, Invalid):
            self.out.write(
                "⚠️ フォームに誤りがあります。何も変更していません。\n"
                + "".join(f"  {line}\n" for line in field_errors_text(checked.errors).splitlines())
            )
            return
        # The console's channel is always one the bot is in.
        saved = editor.save(checked, lambda channel_id: None, team_id=SINGLE_WORKSPACE) if isinstance(checked, Valid) else checked
        if isinstance(saved, Refused):
            self._refused(saved)
            return
        self.show(drill_blocks.schedule_changed("フォームからドリルのスケジュールを設定しました。", saved.view))
        self.tick()

    def _editor(self) -> ScheduleEditor:
        assert self._make_schedule_editor is not None
        if self._schedule_editor is None:
            self._schedule_editor = self._make_schedule_editor()
        return self._schedule_editor

    def _refused(self, refused: Refused) -> None:
        self.out.write(f"{mrkdwn_to_text(refused.sentence)}\n")

    # ------------------------------------------------------------------ App Home

    def _home(self) -> None:
        """Your App Home as text. Its buttons press by number where the console can do what Slack
        would: a role opens its card, 復習をはじめる starts your review, 一時停止／再開 acts on the
        console's channel; the others (the schedule editor) are shown without a number."""
        assert self._make_home_tab is not None and self.clock is not None
        if self._home_tab is None:
            self._home_tab = self._make_home_tab()
        view = self._home_tab.view(CONSOLE_USER, team_id=SINGLE_WORKSPACE)
        blocks = []
        for block in view["blocks"]:
            if block["type"] != "actions":
                blocks.append(block)
                continue
            pressable = [b for b in (_console_button(e) for e in block["elements"]) if b is not None]
            shown = [(e.get("text") or e.get("placeholder") or {}).get("text", "") for e in block["elements"] if _console_button(e) is None]
            if pressable:
                blocks.append({**block, "elements": pressable})
            if shown:
                blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "（Slack のみ: " + "、".join(shown) + "）"}]})
        text, buttons = render(blocks)
        self.out.write(f"[App Home]\n{text}\n")
        self.buttons = buttons

    # ------------------------------------------------------------------ members

    def _reply(self, user_id: str, text: str = "") -> None:
        bot = self.bot
        assert bot is not None and self.clock is not None
        with bot.cycle.sessions() as session:
            drill = drills.latest_open_drill(session, CONSOLE_CHANNEL, team_id=SINGLE_WORKSPACE)
            thread_ts = drill.message_ts if drill else None
        if not thread_ts:
            self.out.write("回答を受け付けているドリルがありません。`/career drill now` で投稿できます。\n")
            return
        self.replies += 1
        ts = f"1700000001.{self.replies:06d}"
        counted = bot.replies.record(CONSOLE_CHANNEL, thread_ts, ts, user_id, self.clock(), text=text or None)
        self.out.write(f"{user_id} がスレッドに回答しました{'' if counted else '（記録されませんでした）'}。\n")

    def _answer(self, text: str) -> None:
        """A message in your DM with the bot: a mock interview's answer (then you stop typing, and
        the clock passes the quiet spell as a few seconds would in Slack), or the DM's own words."""
        bot, ts = self.bot, f"1700000002.{self.replies + 1:06d}"
        assert bot is not None and self.clock is not None
        self.replies += 1
        if not text.strip():
            self.out.write("`:answer <回答>` で DM に書けます。まず `/career mock cto 3` で模擬面接を始めてください。\n")
        elif bot.mock.message(CONSOLE_USER, CONSOLE_DM, ts, text, self.clock(), team_id=SINGLE_WORKSPACE) == Taken.NO_SESSION:
            message = bot.mock_commands.dm_message(CONSOLE_USER, CONSOLE_DM, None, ts, text, team_id=SINGLE_WORKSPACE)
            if message is not None:
                self.show(message)
        else:
            bot.mock.flush_member(CONSOLE_USER, self.clock(), team_id=SINGLE_WORKSPACE)
            self._walk_to(self.clock() + bot.mock.quiet)

    def latest_revealed_drill(self) -> int | None:
        """The id of the console channel's most recently revealed drill: what `:grade` grades."""
        assert self.bot is not None
        with self.bot.cycle.sessions() as session:
            return session.scalars(
                select(DrillRow.id)
                .where(DrillRow.channel_id == CONSOLE_CHANNEL, DrillRow.status.in_((DrillStatus.REVEALING, DrillStatus.REVEALED)))
                .order_by(DrillRow.reveal_at.desc(), DrillRow.id.desc())
            ).first()

    def _grade(self, grade: Grade, user_id: str) -> None:
        """What pressing that grade on the latest reveal does, as `user_id`: the same button value
        through the same router and use-case."""
        drill_id = self.latest_revealed_drill()
        if drill_id is None:
            self.out.write("自己評価できるドリルがありません。回答ポイントが公開されてから `:grade` してください。\n")
            return
        self.out.write(f"{'あなた' if user_id == CONSOLE_USER else user_id} が「{grade.label}」を押しました。\n")
        self.press({"action_id": action_id(Kind.GRADE), "value": encode(drill_id, int(grade))}, user_id=user_id)

    def run(self, lines: Iterable[str], interactive: bool) -> None:
        if interactive:
            self.out.write(
                "career-drill-bot console — `/career help` で使い方、番号でボタン、:wait 10m で時間を進める、:help で console のコマンド、quit で終了\n"
                + PROMPT
            )
            self.out.flush()
        for line in lines:
            if not self.handle(line):
                break
            if interactive:
                self.out.write(PROMPT)
                self.out.flush()


def _console_button(element: dict) -> dict | None:
    """A Home button as the console presses it, or None when only Slack can (the schedule editor)."""
    from bot.views import home_blocks

    action, value = element.get("action_id", ""), element.get("value", "")
    if home_blocks.ROLE_ACTION.match(action):
        return {**element, "action_id": action_id(Kind.OPEN_ROLE), "value": value}
    if action == home_blocks.REVIEW:
        return {**element, "command": "review"}
    channel_id, want = home_blocks.read_toggle(value)
    if action == home_blocks.SCHEDULE_TOGGLE and channel_id == CONSOLE_CHANNEL:
        resume = want == home_blocks.RESUME if want else "再開" in element["text"]["text"]
        return {**element, "command": "schedule resume" if resume else "schedule pause"}
    return None
