"""`python -m bot check-content [DIR]`: a per-file report; exit 1 if any file has an error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.content.loader import load_directory
from bot.domain.catalog import RoleCatalog


def check_content(directory: Path, out: TextIO = sys.stdout) -> int:
    result = load_directory(directory)
    by_file: dict[Path, list] = {}
    for problem in result.problems:
        by_file.setdefault(problem.path, []).append(problem)
    roles_by_file = {r.source: r for r in result.roles}
    for path in result.files:
        role = roles_by_file.get(path)
        problems = by_file.pop(path, [])
        if role is not None:
            with_points = sum(q.has_answer_points for q in role.questions)
            out.write(
                f"ok    {path}: {role.slug} — {len(role.questions)} questions ({with_points} with answer points), "
                f"{len(role.career_paths)} career paths\n"
            )
        else:
            out.write(f"FAIL  {path}\n")
        for problem in problems:
            out.write(f"      {problem}\n")
    for path, problems in by_file.items():  # problems not tied to one role file (e.g. the directory)
        for problem in problems:
            out.write(f"FAIL  {problem}\n")
    catalog = RoleCatalog(result.roles)
    for key in sorted(catalog.ambiguous_keys):
        out.write(f"note  the name '{key}' fits more than one role, so it opens a list of suggestions instead\n")
    errors = len(result.errors)
    out.write(f"{len(result.roles)} role(s) loaded, {errors} error(s), {len(result.problems) - errors} warning(s)\n")
    return 1 if errors else 0
