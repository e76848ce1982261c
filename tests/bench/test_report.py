"""The document `python -m bench` writes: a run of some benchmarks (`--only`) written to a document
that has results already replaces those benchmarks' rows only, keeps every other row as it was
measured, and says which rows it wrote."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import bench.__main__ as bench_main
from bench.report import BEGIN, END, Figure, Target, current_section, merged_section, results_section, write_document

FACTS = [("Code", "aaaaaaa"), ("CPUs", "2"), ("PostgreSQL", "15.20")]
FULL_RUN = datetime(2026, 11, 26, 11, 43, tzinfo=timezone.utc)
LATER = datetime(2026, 12, 8, 10, 0, tzinfo=timezone.utc)


def figure(key: str, benchmark: str, value: float, target: Target | None = None) -> Figure:
    return Figure(key, benchmark, key, "ms", samples=[value], target=target)


def full_run() -> str:
    figures = [
        figure("lookup.p99", "1. Lookup", 15.5, Target("<", 10)),
        figure("admin.p99", "5. Admin ack", 6.4, Target("<", 3000)),
        figure("admin.p50", "5. Admin ack", 3.3),
        figure("home.p99", "8. App Home", 72, Target("<", 100)),
    ]
    return results_section(figures, FACTS, "python -m bench", FULL_RUN, 950)


def rows(section: str, benchmark: str) -> list[str]:
    return [line for line in section.splitlines() if line.startswith(f"| {benchmark} |")]


def test_a_partial_run_replaces_its_own_rows_and_keeps_the_others():
    before = full_run()
    figures = [
        figure("admin.p99", "5. Admin ack", 7.1, Target("<", 3000)),
        figure("mock.p99", "10. Mock interview", 140, Target("<", 100)),
        figure("mock.p50", "10. Mock interview", 60),
    ]
    after = merged_section(
        before, figures, [("Code", "bbbbbbb"), ("CPUs", "4"), ("PostgreSQL", "15.20")], "python -m bench --only admin,mock", LATER, 150
    )

    assert after.startswith(BEGIN) and after.endswith(END)
    assert rows(after, "1. Lookup") == rows(before, "1. Lookup") and rows(after, "8. App Home") == rows(before, "8. App Home")
    assert [r.split(" | ")[2] for r in rows(after, "5. Admin ack")] == ["7.10 ms"]  # its two rows, now this run's one
    table = [line.split(" | ")[0] for line in after.splitlines() if line.startswith("| ") and " | Figure | " not in line]
    assert table == ["| 1. Lookup", "| 5. Admin ack", "| 8. App Home", "| 10. Mock interview", "| 10. Mock interview"]
    # The full run's own lines stay; the targets are counted over every row; one line says what changed.
    assert "- **Date:** 2026-11-26 11:43 UTC (took 15.8 min)" in after and "- **Command:** `python -m bench`" in after
    assert "- **Targets:** 2 of 4 met" in after
    assert (
        "- **Updated:** the rows of *5. Admin ack*, *10. Mock interview* by `python -m bench --only admin,mock`, "
        "2026-12-08 10:00 UTC (took 2.5 min), code bbbbbbb; CPUs: 4"
    ) in after.splitlines()

    # Measured again, the same rows replace those, and the line about them goes with them.
    again = merged_section(after, figures[1:], FACTS, "python -m bench --only mock", LATER, 60)
    updated = [line for line in again.splitlines() if line.startswith("- **Updated:**")]
    assert len(updated) == 2 and "*10. Mock interview* by `python -m bench --only mock`" in updated[1]
    last = merged_section(again, figures, FACTS, "python -m bench --only admin,mock", LATER, 60)
    assert len([line for line in last.splitlines() if line.startswith("- **Updated:**")]) == 1


def test_only_with_output_updates_the_document_in_place(tmp_path, monkeypatch):
    """`python -m bench --only NAME --output PATH`, end to end with a stand-in benchmark."""
    document = tmp_path / "PERFORMANCE.md"
    write_document(document, full_run(), "# Performance\n")
    document.write_text(document.read_text(encoding="utf-8") + "\n## Findings\n\nWritten by hand.\n", encoding="utf-8")
    monkeypatch.setattr(bench_main, "postgres_version", lambda: "15.20")
    monkeypatch.setitem(
        bench_main.BENCHMARKS, "home", lambda plan, workdir, progress: [figure("home.p99", "8. App Home", 55, Target("<", 100))]
    )

    assert bench_main.main(["--only", "home", "--runs", "1", "--output", str(document)]) == 0

    text = document.read_text(encoding="utf-8")
    section = current_section(document)
    assert section is not None and text.endswith("## Findings\n\nWritten by hand.\n")
    assert rows(section, "1. Lookup") == rows(full_run(), "1. Lookup") and [r.split(" | ")[2] for r in rows(section, "8. App Home")] == [
        "55 ms"
    ]
    assert "*8. App Home* by `python -m bench --only home --runs 1 --output" in section


@pytest.mark.parametrize("previous", ["", f"{BEGIN}\n\nno table\n\n{END}"])
def test_a_document_without_a_results_table_gets_a_whole_section(previous):
    figures = [figure("mock.p99", "10. Mock interview", 140, Target("<", 100))]
    assert merged_section(previous, figures, FACTS, "python -m bench --only mock", LATER, 60) == results_section(
        figures, FACTS, "python -m bench --only mock", LATER, 60
    )
