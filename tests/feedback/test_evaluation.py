"""CI's guard on answer feedback's honesty: on a quick subset of the test half of the labelled set,
"covered" must stay precise (a member told ✓ for a point they did not make is misled)."""

from __future__ import annotations

from bench.feedback import CI_PRECISION, CI_RECALL, judge_items, load_items, precision_recall


def test_covered_stays_precise_and_finds_most_points_on_the_quick_test_subset():
    items = load_items("test", quick=True)
    judged, _ms = judge_items(items)
    precision, recall, tp, fp, fn = precision_recall(judged)
    assert len(items) >= 100 and tp > 0
    assert precision >= CI_PRECISION, f"precision {precision:.2f} (tp {tp}, fp {fp}); recall {recall:.2f}"
    assert recall >= CI_RECALL, f"recall {recall:.2f} (tp {tp}, fn {fn}); precision {precision:.2f}"


def test_every_labelled_reply_matches_its_question():
    """The set stays usable: each item's question exists and has as many points as labels, and
    each label is one of the three."""
    from bench.feedback import CONTENT, LABELS
    from bot.content.loader import load_directory
    from bot.domain.catalog import RoleCatalog

    catalog = RoleCatalog(load_directory(CONTENT).roles)
    items = load_items("all")
    unmatched = []
    for item in items:
        role = catalog.by_slug(item["role"])
        question = role.question_by_id(item["question_id"]) if role else None
        if question is None or len(question.points) != len(item["labels"]) or not set(item["labels"]) <= set(LABELS):
            unmatched.append(item["id"])
    assert unmatched == [] and len(items) >= 650
    assert len({item["id"] for item in items}) == len(items)
