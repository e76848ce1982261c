"""`python -m bot console`: the bot in a terminal, no Slack needed."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from bot.console import Console
from bot.testing import ROOT
from bot.testing.db import sqlite_copy


def test_console_command_shows_the_ciso_card():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "/career ciso"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）のプロジェクトポジション" in out
    assert "CISO（最高情報セキュリティ責任者）の戦略策定" in out
    for path in (
        "セキュリティエンジニア → セキュリティマネージャー → CISO",
        "ネットワーク管理者 → CSIRT責任者 → CISO",
        "IT統制・監査部門 → 情報セキュリティ責任者 → CISO",
    ):
        assert path in out
    assert "\u200b" not in out and "*" not in out


def test_console_reads_piped_lines_and_presses_buttons_by_number(router):
    out = io.StringIO()
    console = Console(router, out=out)
    console.run(["/career ciso", "1", "/nope", "99", "quit", "/career cto"], interactive=False)
    text = out.getvalue()
    assert "CISO｜主な業務" in text  # button 1 on the card opens the duties section
    assert "監査・法令対応（ISO27001、ISMS、GDPRなど）" in text
    assert "/nope というコマンドはありません" in text
    assert "ボタンは 1〜" in text
    assert "CTO（" not in text  # nothing after quit runs


def test_console_runs_a_whole_drill_cycle(tmp_path):
    import random
    from datetime import datetime, timezone

    from bot.config import load_settings
    from bot.console_app import build_console

    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(ROOT / "content"), "DEFAULT_TIMEZONE": "UTC"})
    console = build_console(
        settings,
        sqlite_copy(tmp_path / "console.sqlite3"),
        out=out,
        start=datetime(2026, 11, 25, 8, 50, tzinfo=timezone.utc),
        rng=random.Random(2),
    )
    console.run(
        [
            "/career schedule set ciso 09:00 reveal=+30m",
            ":wait 10m",
            ":reply UAKI00001",
            ":reply UBEN00001",
            ":wait 30m",
            "/career schedule show",
        ],
        interactive=False,
    )
    text = out.getvalue()
    assert text.count("[#CCONSOLE1 に投稿]") == 1
    assert text.count("[#CCONSOLE1 のスレッドに返信]") == 1
    assert "参加者 2人: @UAKI00001 @UBEN00001" in text
    assert "次回の投稿: 2026-11-26（木）09:00 UTC" in text


def test_the_readme_drill_example_works_at_any_hour_and_reveals_once(tmp_path):
    """The README's example, pasted at any time of day: one post, a counted reply, one reveal. The
    console's throw-away database is a file, so the tick's threads never share one connection."""
    import random
    from datetime import datetime, timedelta, timezone

    from bot.config import load_settings
    from bot.console_app import build_console

    settings = load_settings({"CONTENT_DIR": str(ROOT / "content")})
    example = [line for line in README_DRILL_EXAMPLE.splitlines() if line.strip()]
    for hour in range(0, 24, 3):
        out = io.StringIO()
        start = datetime(2026, 11, 25, hour, 17, tzinfo=timezone.utc)
        console = build_console(settings, sqlite_copy(tmp_path / f"c{hour}.sqlite3"), out=out, start=start, rng=random.Random(hour))
        console.run(example, interactive=False)
        console.bot.engine.dispose()
        text = out.getvalue()
        assert text.count("[#CCONSOLE1 に投稿]") == 1, (hour, text)
        assert text.count("[#CCONSOLE1 のスレッドに返信]") == 1, (hour, text)
        assert "参加者 1人: @UAKI00001" in text, (hour, text)
        assert console.clock() - start < timedelta(days=1, hours=1)


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- console-drill-example -->", 1)[1].split("```", 2)[1]
    return "\n".join(line for line in block.splitlines() if line.strip())


README_DRILL_EXAMPLE = _readme_example()


def test_with_no_roles_loaded_the_drill_is_refused_with_the_reason(tmp_path):
    from bot.config import load_settings
    from bot.console_app import build_console

    empty = tmp_path / "content"
    empty.mkdir()
    out = io.StringIO()
    console = build_console(load_settings({"CONTENT_DIR": str(empty)}), sqlite_copy(tmp_path / "c.sqlite3"), out=out)
    console.run(["/career schedule set all 09:00", "/career drill now", "/career schedule show"], interactive=False)
    console.bot.engine.dispose()
    text = out.getvalue()
    assert text.count("職種のデータが1件も読み込まれていない") == 2
    assert "✅" not in text and "投稿します" not in text
    assert "スケジュールがありません" in text


def test_python_m_bot_without_a_token_points_to_the_console():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "python -m bot console" in result.stderr and "--help" in result.stderr


def test_a_reply_with_no_user_is_yours_and_shows_in_your_stats(tmp_path):
    from datetime import datetime, timezone

    from bot.config import load_settings
    from bot.console_app import build_console

    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(ROOT / "content"), "DEFAULT_TIMEZONE": "UTC"})
    console = build_console(settings, sqlite_copy(tmp_path / "c.sqlite3"), out=out, start=datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc))
    console.run(["/career schedule set ciso 09:00 reveal=+30m", ":next", ":reply", ":next", "/career stats"], interactive=False)
    console.bot.engine.dispose()
    text = out.getvalue()
    assert "参加者 1人: @UCONSOLE1" in text and "回答したドリル: 1回" in text and "連続回答: 1回" in text


# ----------------------------------------------------------------------------- the learning loop

UTC = timezone.utc
POSTED = "[#CCONSOLE1 に投稿]"
REVEALED = "[#CCONSOLE1 のスレッドに返信]"
REPLACED = "[↻ 押したメッセージをこの内容に置き換えました]"


@pytest.fixture
def drill_console(tmp_path):
    """A console with a drill, in UTC, starting 2026-11-25 08:00: `make()` returns it and its output."""
    from bot.config import load_settings
    from bot.console_app import build_console

    made = []

    def make(start: datetime = datetime(2026, 11, 25, 8, 0, tzinfo=UTC), zone: str = "UTC"):
        out = io.StringIO()
        settings = load_settings({"CONTENT_DIR": str(ROOT / "content"), "DEFAULT_TIMEZONE": zone})
        console = build_console(settings, sqlite_copy(tmp_path / f"c{len(made)}.sqlite3"), out=out, start=start)
        made.append(console)
        return console, out

    yield make
    for console in made:
        console.bot.engine.dispose()


def _since(out: io.StringIO, mark: int) -> str:
    return out.getvalue()[mark:]


def test_a_reveals_grade_buttons_are_pressed_by_number_and_answer_privately(drill_console):
    console, out = drill_console()
    console.run(["/career schedule set ciso 09:00 reveal=+30m", ":next", ":reply", ":next"], interactive=False)
    assert "[1] 😵 忘れた  [2] 😓 苦労したが思い出せた  [3] 🙂 普通に思い出せた  [4] 😎 簡単" in out.getvalue()
    number = re.search(r"回答ポイント（Q(\d+)）", out.getvalue()).group(1)

    mark = len(out.getvalue())
    console.run(["4"], interactive=False)  # 😎 簡単 on the reveal, at 09:30 UTC on 11月25日
    easy = _since(out, mark)
    assert f"✅ CISO Q{number} の自己評価を「簡単」で記録しました。この質問は 12月3日 ごろに復習に出ます。" in easy
    assert "（あなただけに表示）" in easy and REPLACED not in easy  # a new private message; the reveal stays

    mark = len(out.getvalue())
    console.run(["1"], interactive=False)  # the reveal's buttons are still the console's: 😵 忘れた replaces the grade
    again = _since(out, mark)
    assert "「簡単」から「忘れた」に変更しました。この質問は 11月26日 ごろに復習に出ます。" in again


def test_grade_as_two_members_then_stats_show_the_graded_question_and_the_grades(drill_console):
    console, out = drill_console()
    console.run(
        [
            "/career schedule set ciso 09:00 reveal=+30m",
            ":grade 普通",  # nothing revealed yet: refused, nothing recorded
            ":next",
            ":next",
            ":grade 忘れた UAKI00001",
            ":grade 3",  # you: 普通
            ":grade hard",  # you again, the same day: replaces your 普通
            ":grade 7",
            "/career stats",
        ],
        interactive=False,
    )
    text = out.getvalue()
    assert "自己評価できるドリルがありません" in text
    assert "UAKI00001 が「忘れた」を押しました。" in text and "（UAKI00001 だけに表示）" in text
    assert "あなた が「普通」を押しました。" in text and "「普通」から「苦労した」に変更しました" in text
    assert "評価は 1〜4 または 忘れた・苦労した・普通・簡単 のどれかです" in text
    stats = text.rsplit("あなたのドリル記録", 1)[1]
    assert "CISO: 評価 1問、定着 0問（全20問の 0%）" in stats
    assert "最近30日の自己評価（1回）: 忘れた 0、苦労した 1、普通 0、簡単 0" in stats  # yours only, replaced once


def test_the_review_queue_walks_question_points_grade_then_the_end_of_the_queue(drill_console):
    console, out = drill_console()
    console.run(["/career schedule set ciso 09:00 reveal=+30m", ":next", ":next", ":grade 忘れた", ":wait 1d"], interactive=False)
    forgotten = re.search(r"回答ポイント（Q(\d+)）", out.getvalue()).group(1)

    mark = len(out.getvalue())
    console.run(["/career review"], interactive=False)
    card = _since(out, mark)
    assert "■ 🔁 復習（今日の残り 1問）" in card and f"CISO Q{forgotten}\n" in card
    assert "[1] 回答ポイントを見る" in card and "回答ポイント\n" not in card

    mark = len(out.getvalue())
    console.run(["1"], interactive=False)
    points = _since(out, mark)
    assert points.startswith(REPLACED) and f"CISO Q{forgotten}\n" in points and "回答ポイント\n• " in points
    assert "[1] 😵 忘れた  [2] 😓 苦労したが思い出せた  [3] 🙂 普通に思い出せた  [4] 😎 簡単" in points

    mark = len(out.getvalue())
    console.run(["3"], interactive=False)
    done = _since(out, mark)
    assert done.startswith(REPLACED)
    assert f"✅ CISO Q{forgotten} の自己評価を「普通」で記録しました。" in done
    assert "🎉 今日の復習はこれで全部です。今日は 1問 自己評価しました。次の復習は 11月" in done
    assert "[1] 🌱 新しい質問に挑戦" in done

    mark = len(out.getvalue())
    console.run(["1", "1", "2"], interactive=False)  # a new question, its points, 😓 苦労した
    fresh = _since(out, mark)
    assert "■ 🌱 新しい質問" in fresh and "の自己評価を「苦労した」で記録しました。" in fresh
    assert fresh.rstrip().endswith("（あなただけに表示）") and "今日は 2問 自己評価しました。" in fresh


def test_a_month_of_drills_in_which_a_hard_question_comes_back(drill_console):
    """An adaptive daily drill; after each reveal three members grade. One question (the first one
    asked) they always forget; every other they find easy. The forgotten one keeps coming back, a
    week apart at the soonest; an easy one comes back only once FSRS has it due (a single 簡単 lasts
    about eight days), and less often than the forgotten one."""
    from bot.domain.adaptive import REVIEW_GAP
    from bot.domain.memory import Grade, Review, replay

    start = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    console, out = drill_console(start)
    console.run(["/career schedule set ciso 09:00 reveal=+1h", ":wait 2h"], interactive=False)  # 09:00 post, 10:00 reveal
    members = ("UAKI00001", "UBEN00001", "UCHO00001")
    asked: list[int] = []  # the question posted on day n
    mark = 0
    for day in range(30):
        today = _since(out, mark)
        assert today.count(POSTED) == 1 and today.count(REVEALED) == 1, (day, today)
        assert f"回答ポイントは {(start + timedelta(days=day)):%Y-%m-%d}" in today
        asked.append(int(re.search(r"Q(\d+) / 20", today).group(1)))
        grade = "忘れた" if asked[-1] == asked[0] else "簡単"
        console.run([f":grade {grade} {member}" for member in members], interactive=False)
        mark = len(out.getvalue())
        console.run([":wait 1d"], interactive=False)  # tomorrow 10:00: the post and the reveal on the way

    hard = asked[0]
    hard_days = [day for day, number in enumerate(asked) if number == hard]
    assert len(hard_days) >= 3  # posted again within the month, more than once
    assert all(b - a >= REVIEW_GAP.days for a, b in zip(hard_days, hard_days[1:], strict=False))
    first_repeat = next(day for day, number in enumerate(asked) if number in asked[:day])
    assert asked[first_repeat] == hard
    counts = Counter(asked)
    assert all(n < counts[hard] for number, n in counts.items() if number != hard)
    # An easy question comes back only once the members' memory of it is due. Some do come back
    # within the month: one 簡単 lasts about eight days in FSRS, and a role has twenty questions.
    easy_returns = [
        (max(d for d in range(day) if asked[d] == number), day)
        for day, number in enumerate(asked)
        if number != hard and number in asked[:day]
    ]
    assert easy_returns
    for last, day in easy_returns:
        graded_at = start + timedelta(days=last, hours=2)  # that day's reveal, 10:00
        assert start + timedelta(days=day, hours=1) >= replay([Review(Grade.EASY, graded_at)]).due, (last, day)


def test_wait_30d_posts_and_reveals_every_day_once_in_order(drill_console):
    console, out = drill_console(zone="Asia/Tokyo")
    console.run(["/career schedule set ciso 09:00 reveal=+30m", ":wait 30d", ":time"], interactive=False)
    text = out.getvalue()
    events = re.findall(re.escape(POSTED) + "|" + re.escape(REVEALED), text)
    assert events == [POSTED, REVEALED] * 30
    days = re.findall(r"回答ポイントは (\d{4}-\d\d-\d\d)（.）09:30 Asia/Tokyo に公開します", text)
    assert days == [f"{datetime(2026, 11, 26) + timedelta(days=n):%Y-%m-%d}" for n in range(30)]
    assert "いまの時刻: 2026-12-25 17:00 Asia/Tokyo（2026-12-25 08:00 UTC）" in text


def test_the_console_help_lists_its_commands(drill_console):
    console, out = drill_console()
    console.run([":help"], interactive=False)
    text = out.getvalue()
    for command in (":next", ":wait 30m|2h|1d|30d", ":reply [ユーザーID]", ":grade <評価> [ユーザーID]", ":time", "/career review"):
        assert command in text


@pytest.mark.parametrize("wall", ["09:00:00", "09:00:45", "09:00:59", "08:59:59", "08:59:00", "09:29:59", "23:59:59", "00:00:00"])
def test_the_readme_drill_example_works_pasted_in_the_schedules_own_minute(tmp_path, wall):
    """The console opened at any second of the day (its clock read from an injected wall clock):
    the first `:next` posts the question, `:reply` answers it, the second `:next` reveals it."""
    from zoneinfo import ZoneInfo

    from bot.config import load_settings
    from bot.console_app import build_console

    hour, minute, second = map(int, wall.split(":"))
    opened = datetime(2026, 11, 25, hour, minute, second, tzinfo=ZoneInfo("Asia/Tokyo"))
    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(ROOT / "content")})
    console = build_console(settings, sqlite_copy(tmp_path / "c.sqlite3"), out=out, wall_clock=lambda: opened)
    steps = [line for line in README_DRILL_EXAMPLE.splitlines() if line.strip()]
    shown = []
    for step in steps:
        mark = len(out.getvalue())
        console.run([step], interactive=False)
        shown.append(out.getvalue()[mark:])
    console.bot.engine.dispose()
    schedule_set, first_next, reply, second_next = shown
    assert POSTED not in schedule_set
    assert POSTED in first_next and REVEALED not in first_next
    assert "UAKI00001 がスレッドに回答しました。" in reply
    assert REVEALED in second_next and "参加者 1人: @UAKI00001" in second_next


def _readme_learning_example() -> str:
    """The learning example of docs/CONSOLE.md, pasted after the README's drill example."""
    readme = (ROOT / "docs" / "CONSOLE.md").read_text(encoding="utf-8")
    block = readme.split("<!-- console-learning-example -->", 1)[1].split("```", 2)[1]
    return "\n".join(line for line in block.splitlines() if line.strip())


@pytest.mark.parametrize("hour", [0, 7, 13, 19])
def test_the_readme_learning_example_works_after_the_drill_example(drill_console, hour):
    console, out = drill_console(datetime(2026, 11, 25, hour, 17, tzinfo=UTC), zone="Asia/Tokyo")
    drill = [line for line in README_DRILL_EXAMPLE.splitlines() if line.strip()]
    learning = [line for line in _readme_learning_example().splitlines() if line.strip()]
    console.run(drill + learning, interactive=False)
    text = out.getvalue()
    assert "の自己評価を「忘れた」で記録しました。" in text and "UBEN00001 が「簡単」を押しました。" in text
    review = text.split("■ 🔁 復習（今日の残り 1問）", 1)[1]
    assert REPLACED in review and "回答ポイント\n• " in review
    assert "の自己評価を「簡単」で記録しました。" in review and "🎉 今日の復習はこれで全部です。" in review
    assert "最近30日の自己評価（2回）: 忘れた 1、苦労した 0、普通 0、簡単 1" in review
    events = re.findall(re.escape(POSTED) + "|" + re.escape(REVEALED), text)
    assert events == [POSTED, REVEALED] * 32  # the example's two days, then thirty more
    assert "コマンドはありません" not in text and "見つかりません" not in text


def test_a_reply_with_text_gets_its_answer_feedback_at_the_reveal(tmp_path):
    """`:reply <user> <text>`: the text is judged, and at the reveal only that member is shown marks."""
    import random
    from datetime import datetime, timezone

    from bot.config import load_settings
    from bot.console_app import build_console
    from bot.content.loader import load_directory

    cto = next(r for r in load_directory(ROOT / "content").roles if r.slug == "cto")
    out = io.StringIO()
    settings = load_settings({"CONTENT_DIR": str(ROOT / "content"), "DEFAULT_TIMEZONE": "UTC"})
    console = build_console(
        settings,
        sqlite_copy(tmp_path / "console.sqlite3"),
        out=out,
        start=datetime(2026, 11, 25, 8, 50, tzinfo=timezone.utc),
        rng=random.Random(2),
    )
    console.run(["/career schedule set cto 09:00 reveal=+30m", ":next"], interactive=False)
    question = next(q for q in cto.questions if f"Q{q.number} / 20" in out.getvalue())
    console.run([f":reply UAKI00001 {question.points[0]}。{question.points[1]}。", ":reply UBEN00001", ":next"], interactive=False)
    shown = out.getvalue()
    assert shown.count("にだけ表示") == 1 and "UAKI00001 にだけ表示" in shown  # Ben wrote no text
    assert f"✓ {question.points[0]}" in shown and f"– {question.points[-1]}" in shown


def test_next_stops_at_the_reminder_and_the_weekly_digest(drill_console):
    """`:next` stops where a reminder or a digest is due, so the console shows both, in order."""
    console, out = drill_console()  # Wednesday 2026-11-25 08:00 UTC
    console.run(
        ["/career schedule set ciso 09:00 reveal=+30m remind=-10m digest=wed-18:00", ":next", ":next", ":next", ":next"], interactive=False
    )
    text = out.getvalue()
    assert text.index("回答ポイントの公開まであと10分です。") < text.index("回答ポイント（Q") < text.index("今週のドリル（1問）")
    assert "2026-11-25 09:20 UTC" in text and "2026-11-25 18:00 UTC" in text


# ----------------------------------------------------------------------------- what was wrong


@pytest.mark.parametrize(
    "line, said",
    [
        (":wait 1w", "`:wait` の長さ「1w」は読めません。30m、2h、1d（分・時間・日）のように数字と単位で指定してください。"),
        (":wait", "`:wait` には進める長さを1つ指定してください（例: `:wait 30m`、`:wait 2h`、`:wait 1d`）。"),
        (":wait 1 d", "`:wait` には進める長さを1つ指定してください（例: `:wait 30m`、`:wait 2h`、`:wait 1d`）。"),
        (":foo", "`:foo` という console のコマンドはありません。`:help` で一覧を表示できます。"),
        (":nxet", "`:nxet` という console のコマンドはありません。`:next` のことですか？"),
    ],
    ids=["unit", "no-length", "two-words", "unknown", "typo"],
)
def test_a_console_command_it_cannot_read_says_what_was_wrong_and_changes_nothing(drill_console, line, said):
    console, out = drill_console()
    before = console.clock()
    console.run([line], interactive=False)
    assert out.getvalue() == said + "\n"  # one sentence, not the command list
    assert console.clock() == before


def test_wait_takes_japanese_units(drill_console):
    console, out = drill_console()  # 2026-11-25 08:00 UTC
    console.run([":wait 1日", ":wait 2時間", ":wait 30分"], interactive=False)
    assert console.clock() == datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
    assert "読めません" not in out.getvalue()


@pytest.mark.parametrize("wait", [":wait 400d", ":wait 99999999999999999999d"])
def test_wait_past_the_longest_step_says_it_moves_only_that_far(drill_console, wait):
    console, out = drill_console()
    console.run([wait], interactive=False)
    assert "`:wait` で一度に進められるのは366日までです。366日だけ進めます。" in out.getvalue()
    assert console.clock() == datetime(2026, 11, 25, 8, 0, tzinfo=UTC) + timedelta(days=366)


@pytest.mark.parametrize("leave", [":quit", ":exit", ":q", "quit", ":quit now"])
def test_quit_with_or_without_a_colon_leaves(drill_console, leave):
    console, out = drill_console()
    console.run([leave, "/career ciso"], interactive=False)
    assert out.getvalue() == ""


def test_a_number_with_no_button_to_press_is_never_read_as_a_role(drill_console):
    console, out = drill_console()
    console.run(["5"], interactive=False)
    assert (
        out.getvalue()
        == "いま押せるボタンがないため、5 番は押せません。`/career ciso` のように職種を表示すると、そのボタンを番号で押せます。\n"
    )
    console.run(["/career ciso question", "99"], interactive=False)
    assert "99 番のボタンはありません。ボタンは 1〜3 の番号で選んでください。" in out.getvalue()
    assert "という職種は見つかりませんでした" not in out.getvalue()


# ----------------------------------------------------------------------------- the terminal


def _console_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return {**env, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1", "TERM": "dumb"}


def _read_until(fd: int, wanted: bytes, deadline: float = 60) -> bytes:
    """Read a pty or pipe until `wanted` appears or the other end closes."""
    import select
    import time

    seen = b""
    end = time.monotonic() + deadline
    while wanted not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            raise AssertionError(f"{wanted!r} not seen in {seen!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the pty's other side closed
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_closing_the_terminal_deletes_the_consoles_throwaway_database(tmp_path):
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console"],
        cwd=ROOT,
        env=_console_env(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        process.stdin.write(b":time\n")
        process.stdin.flush()
        _read_until(process.stdout.fileno(), "いまの時刻".encode())
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("career-console-")] != []
        process.send_signal(signal.SIGHUP)  # what a closed terminal sends
        assert process.wait(timeout=60) == 128 + signal.SIGHUP
    finally:
        process.kill()
        process.wait()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("career-console-")] == []
    assert b"Traceback" not in process.stderr.read()


def test_ctrl_d_at_the_prompt_ends_the_line_before_leaving(tmp_path):
    import pty

    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console"],
        cwd=ROOT,
        env=_console_env(tmp_path),
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,
    )
    os.close(secondary)
    try:
        _read_until(primary, b"career> ")
        os.write(primary, b"\x04")  # Ctrl-D on an empty line: end of input
        rest = _read_until(primary, b"\x00never")
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()
        os.close(primary)
    assert rest.replace(b"\r", b"") == b"\n"  # the shell's prompt then starts on a line of its own
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("career-console-")] == []


def test_the_reveals_model_answer_button_shows_the_model_answer_privately(drill_console):
    console, out = drill_console()
    console.run(["/career schedule set sre 09:00 reveal=+30m", ":next", ":reply"], interactive=False)
    assert "📖 模範解答" not in out.getvalue()  # not before the reveal
    console.run([":next"], interactive=False)
    number = int(re.search(r"回答ポイント（Q(\d+)）", out.getvalue()).group(1))
    button = re.search(r"\[(\d+)\] 📖 模範解答", out.getvalue()).group(1)

    mark = len(out.getvalue())
    console.run([button], interactive=False)
    shown = _since(out, mark)
    question = console.bot.catalog.by_slug("sre").question(number)
    assert question.model_answer[:30] in shown and "NG例" in shown
    assert "（あなただけに表示）" in shown and REPLACED not in shown
