"""`python -m bench.feedback [--split dev|test|all] [--analyser NAME] [--quick] [--json PATH] [--errors]`

How well answer feedback judges replies, on the hand-labelled set in tests/feedback/eval_set.json
(see tests/feedback/README.md). For "covered" (the verdict that tells a member they made a point)
it prints precision and recall per split, role and kind, and the confusion table of labels against
verdicts. Keywords are tuned on the dev half only; the test half is where the targets apply:
precision >= 0.90 and recall >= 0.80 overall, recall >= 0.70 in every role, and no ✓ for a bare
list of terms. It also gives the judge's time per reply of 200–400 characters (median and p99).
`--errors` lists each wrong verdict with its reply (this is test data we wrote, never a member's text),
for the dev half only: whoever tunes never reads the test half or the fresh set.

`--split fresh` is a set of replies to questions that no other reply in the set answers, kept out of
tuning like the test half: how the judge does on questions nobody tuned keywords for.

`--quick` judges every third reply of the test half: what CI runs, failing below precision 0.85 or
recall 0.75.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "tests" / "feedback" / "eval_set.json"
CONTENT = ROOT / "content"
LABELS = ("covered", "partly", "missing")
VERDICT_LABEL = {"c": "covered", "p": "partly", "m": "missing"}
TARGET_PRECISION, TARGET_RECALL, TARGET_ROLE_RECALL = 0.90, 0.80, 0.70
CI_PRECISION, CI_RECALL = 0.85, 0.75
TIMED_LENGTHS = (200, 400)  # the replies whose judging time is reported
TIMING_ROUNDS = 5  # each timed reply is judged this many times more, for a steadier p99


@dataclass(frozen=True)
class Judged:
    item: dict
    point: int
    label: str
    verdict: str


def load_items(split: str = "all", quick: bool = False) -> list[dict]:
    items = json.loads(EVAL_SET.read_text(encoding="utf-8"))["items"]
    if split != "all":
        items = [i for i in items if i["split"] == split]
    if quick:
        items = items[::3]
    return items


TIMES: list[float] = []  # ms per reply of TIMED_LENGTHS characters, from the last judge_items


def judge_items(items: Iterable[dict], analyser: str | None = None) -> tuple[list[Judged], float]:
    """Every (reply, point) pair with its label and the bot's verdict; and the mean ms per reply."""
    TIMES.clear()
    from bot.analysis import load_analyser
    from bot.content.loader import load_directory
    from bot.domain.catalog import RoleCatalog
    from bot.usecases.feedback import AnswerCheck

    catalog = RoleCatalog(load_directory(CONTENT).roles)
    tokens = (load_analyser(analyser) if analyser else load_analyser()).tokens
    check = AnswerCheck(catalog, lambda: tokens)
    judged: list[Judged] = []
    elapsed, count = 0.0, 0
    items = list(items)
    # The judge builds each question's matchers on first use (once per process): build them before
    # timing, so the figures are what a member's reply costs.
    for item in items:
        role = catalog.by_slug(item["role"])
        question = role.question_by_id(item["question_id"]) if role else None
        if role is not None and question is not None:
            check.matchers(role, question)
    for item in items:
        started = time.perf_counter()
        codes = check.codes(item["role"], item["question_id"], item["number"], item["text"], team_id="T0EVAL")
        elapsed += time.perf_counter() - started
        count += 1
        if codes is None:
            raise SystemExit(f"{item['id']}: its question ({item['role']} {item['question_id']}) is not in the content any more")
        if len(codes) != len(item["labels"]):
            raise SystemExit(f"{item['id']}: {len(item['labels'])} labels but the question has {len(codes)} points")
        for point, (label, code) in enumerate(zip(item["labels"], codes, strict=False)):
            judged.append(Judged(item, point, label, VERDICT_LABEL[code]))
    timed = [i for i in items if TIMED_LENGTHS[0] <= len(i["text"]) <= TIMED_LENGTHS[1]]
    for _round in range(TIMING_ROUNDS):
        for item in timed:
            started = time.perf_counter()
            check.codes(item["role"], item["question_id"], item["number"], item["text"], team_id="T0EVAL")
            TIMES.append((time.perf_counter() - started) * 1000)
    return judged, (elapsed * 1000 / count if count else 0.0)


def precision_recall(judged: Iterable[Judged], positive: str = "covered") -> tuple[float, float, int, int, int]:
    judged = list(judged)
    tp = sum(1 for j in judged if j.verdict == positive and j.label == positive)
    fp = sum(1 for j in judged if j.verdict == positive and j.label != positive)
    fn = sum(1 for j in judged if j.verdict != positive and j.label == positive)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def confusion(judged: Iterable[Judged]) -> str:
    counts = Counter((j.label, j.verdict) for j in judged)
    lines = ["| label \\ verdict | " + " | ".join(LABELS) + " |", "| --- |" + " ---: |" * len(LABELS)]
    for label in LABELS:
        lines.append(f"| {label} | " + " | ".join(str(counts[(label, v)]) for v in LABELS) + " |")
    return "\n".join(lines)


def table(judged: list[Judged], key) -> str:
    groups: dict[str, list[Judged]] = defaultdict(list)
    for j in judged:
        groups[key(j)].append(j)
    lines = ["| | points | precision | recall | tp | fp | fn |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in sorted(groups):
        p, r, tp, fp, fn = precision_recall(groups[name])
        lines.append(f"| {name} | {len(groups[name])} | {p:.2f} | {r:.2f} | {tp} | {fp} | {fn} |")
    return "\n".join(lines)


def report(split: str, analyser: str | None, quick: bool, show_errors: bool) -> dict:
    items = load_items(split, quick)
    judged, ms = judge_items(items, analyser)
    precision, recall, tp, fp, fn = precision_recall(judged)
    name = "fresh set" if split == "fresh" else f"{split} half"
    print(
        f"## Answer feedback on the {name}{' (quick subset)' if quick else ''}: {len(items)} replies, {len(judged)} points, analyser {analyser or 'default'}\n"
    )
    roles = defaultdict(list)
    for j in judged:
        roles[j.item["role"]].append(j)
    weakest = min((precision_recall(js)[1], name) for name, js in roles.items()) if roles else (1.0, "")
    stuffed = sum(1 for j in judged if j.item["kind"] == "stuffing" and j.verdict == "covered")
    met = precision >= TARGET_PRECISION and recall >= TARGET_RECALL and weakest[0] >= TARGET_ROLE_RECALL and stuffed == 0
    print(
        f"covered: precision {precision:.3f}, recall {recall:.3f}; lowest role recall {weakest[0]:.2f} ({weakest[1]}); ✓ on bare lists: {stuffed}"
    )
    print(
        f"targets: precision {TARGET_PRECISION}, recall {TARGET_RECALL}, every role's recall {TARGET_ROLE_RECALL}, no ✓ on bare lists: {'met' if met else 'missed'}"
    )
    times = sorted(TIMES)
    if times:
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(
            f"judging time per reply of {TIMED_LENGTHS[0]}–{TIMED_LENGTHS[1]} characters ({len(times) // TIMING_ROUNDS} "
            f"replies × {TIMING_ROUNDS}): median {times[len(times) // 2]:.2f} ms, p99 {p99:.2f} ms; {ms:.2f} ms mean over all\n"
        )
    else:
        print(f"{ms:.2f} ms per reply\n")
    print("### Confusion (rows: label, columns: verdict)\n")
    print(confusion(judged) + "\n")
    print("### By role\n")
    print(table(judged, lambda j: j.item["role"]) + "\n")
    print("### By kind of reply\n")
    print(table(judged, lambda j: j.item["kind"]) + "\n")
    if show_errors:
        print("### Wrong verdicts\n")
        for j in judged:
            if (j.verdict == "covered") != (j.label == "covered"):
                print(f"- {j.item['id']} P{j.point} label {j.label}, verdict {j.verdict}: {j.item['text'][:120]}")
    return {
        "split": split,
        "quick": quick,
        "replies": len(items),
        "points": len(judged),
        "precision": precision,
        "recall": recall,
        "lowest_role_recall": weakest[0],
        "stuffing_covered": stuffed,
        "ms_per_reply": ms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feedback", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split", choices=("dev", "test", "fresh", "all"), default=None, help="one part of the set (default: dev, test, then fresh)"
    )
    parser.add_argument("--analyser", default=None, help="sudachi-core (default), sudachi-small, fugashi-unidic-lite, janome")
    parser.add_argument("--quick", action="store_true", help="every third reply of the test half, as CI runs it")
    parser.add_argument("--errors", action="store_true", help="list the wrong verdicts")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    splits = [args.split] if args.split else (["test"] if args.quick else ["dev", "test", "fresh"])
    if args.errors and splits != ["dev"]:
        parser.error("--errors lists the dev half's errors only (--split dev): the test half and the fresh set are not read")
    results = [report(split, args.analyser, args.quick, args.errors) for split in splits]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
