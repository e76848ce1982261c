"""2. Content scale: load time, peak memory and lookup time with 1 … 5,000 role files.

Role files are copies of content/ciso.md with their own title, slug, alias and related roles, so
every file has the reference document's shape and every role is reachable by its own names. Each
size is measured in a fresh process (`python -m bench.content_scale DIR LOOKUPS`), so peak RSS
belongs to that size alone (see `peak_rss_mb`); the same process also reports its RSS before loading,
the baseline of an empty bot.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import frontmatter

from bench.plan import Plan
from bench.report import Figure, Target
from bench.servers import CONTENT_DIR, ROOT
from bot.domain.workspace import SINGLE_WORKSPACE

NAME = "2. Content scale"
SEED = CONTENT_DIR / "ciso.md"
TARGET_SIZE = 1_000  # roles: load ≤ 2 s within ≤ 150 MB
MAX_LOAD_S = 2.0
MAX_RSS_MB = 150
MAX_LOOKUP_GROWTH = 1.5  # "flat": lookup time at the largest size ≤ 1.5 × the one-role time
SAMPLE_ROLES = 100  # roles looked up at each size (all of them below that)


def slug_of(number: int) -> str:
    return f"role{number:05d}_project_position"


def write_roles(directory: Path, count: int) -> None:
    """`count` role files shaped like content/ciso.md, each with unique names."""
    seed = frontmatter.loads(SEED.read_text(encoding="utf-8"))
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        role = frontmatter.Post(seed.content, **seed.metadata)
        role["slug"] = slug_of(number)
        role["title"] = f"ベンチ職種{number:05d}（Bench Role {number:05d}, 検証用職種{number:05d}）のプロジェクトポジション"
        role["aliases"] = [f"r{number:05d}"]
        role["related_jobs"] = [slug_of((number + step) % count) for step in (1, 2) if (number + step) % count != number]
        role["thumbnail"] = f"/static/img/{slug_of(number)}.png"
        (directory / f"{slug_of(number)}.md").write_text(frontmatter.dumps(role) + "\n", encoding="utf-8")


def run(plan: Plan, workdir: Path, progress: Callable[[str], None]) -> list[Figure]:
    figures: dict[str, Figure] = {}

    def figure(key: str, label: str, unit: str, target: Target | None = None) -> Figure:
        return figures.setdefault(key, Figure(f"content.{key}", NAME, label, unit, target=target))

    directories = {}
    for size in plan.content_sizes:
        directories[size] = workdir / f"roles-{size}"
        write_roles(directories[size], size)
    smallest, largest = min(plan.content_sizes), max(plan.content_sizes)
    for run_index in range(plan.runs):
        lookups = {}
        for size in plan.content_sizes:
            result = measure_in_fresh_process(directories[size], plan.content_lookups)
            if result["roles"] != size:
                raise RuntimeError(f"{size} role files loaded as {result['roles']} roles: {result['problems']}")
            at_target = size == TARGET_SIZE
            roles = f"{size:,} role{'' if size == 1 else 's'}"
            figure(f"load_s.{size}", f"{roles}: load + catalog", "s", Target("<=", MAX_LOAD_S) if at_target else None).samples.append(
                result["load_s"]
            )
            figure(f"rss_mb.{size}", f"{roles}: peak RSS", "MB", Target("<=", MAX_RSS_MB) if at_target else None).samples.append(
                result["rss_peak_mb"]
            )
            figure(f"helpers_rss_mb.{size}", f"{roles}: loader's helper processes, largest peak RSS", "MB").samples.append(
                result["helpers_rss_mb"]
            )
            figure(f"lookup_us.{size}", f"{roles}: `/career <slug>` (resolve + card)", "µs").samples.append(result["lookup_us"])
            figure(f"first_us.{size}", f"{roles}: a role's first `/career <slug>`", "µs").samples.append(result["first_us"])
            figure(f"miss_ms.{size}", f"{roles}: unknown name (suggestions)", "ms").samples.append(result["miss_us"] / 1000)
            lookups[size] = result["lookup_us"]
            progress(
                f"content run {run_index + 1}/{plan.runs}, {size:,} roles: load {result['load_s']:.2f} s, "
                f"RSS {result['rss_before_mb']:.0f} → {result['rss_peak_mb']:.0f} MB, lookup {result['lookup_us']:.0f} µs "
                f"(first {result['first_us']:.0f} µs), "
                f"unknown name {result['miss_us'] / 1000:.1f} ms"
            )
        figure("rss_mb.baseline", "RSS before loading (imports only)", "MB").samples.append(result["rss_before_mb"])
        growth = figure(
            "lookup_growth",
            f"lookup time, {largest:,} roles ÷ {smallest:,}",
            "×",
            Target("<=", MAX_LOOKUP_GROWTH),
        )
        growth.samples.append(lookups[largest] / lookups[smallest])
    order = ["lookup_growth"]
    order += [f"{what}.{size}" for what in ("load_s", "rss_mb", "helpers_rss_mb") for size in plan.content_sizes]
    order += ["rss_mb.baseline"]
    order += [f"{what}.{size}" for what in ("lookup_us", "first_us", "miss_ms") for size in plan.content_sizes]
    return [figures[key] for key in order]


def measure_in_fresh_process(directory: Path, lookups: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.content_scale", str(directory), str(lookups)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring {directory} failed:\n{done.stderr}")
    return json.loads(done.stdout)


# ------------------------------------------------------------------------------- the child process


def peak_rss_mb() -> float:
    """This process's peak resident set size.

    `getrusage(RUSAGE_SELF).ru_maxrss` is the obvious source, but Linux carries it across
    fork and exec: a child started by a 60 MB parent reports at least 60 MB. /proc's VmHWM is
    the high-water mark of this process's own memory, so it is preferred where it exists."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def measure(directory: Path, lookups: int) -> dict:
    from bot.commands.router import CommandRouter
    from bot.content.loader import load_directory
    from bot.domain.catalog import RoleCatalog
    from bot.usecases.lookups import Lookups

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    content = load_directory(directory)
    catalog = RoleCatalog(content.roles)
    load_s = time.perf_counter() - started
    # The loader may parse in worker processes; the largest one's peak (pages it shares with this
    # process included) tells what loading costs beyond this process, while it lasts.
    helpers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    career = CommandRouter(Lookups(catalog))
    # The same number of roles at every size, spread over the catalog, so that what grows is the
    # catalog and not the share of roles looked up for the first time.
    sample = catalog.roles[:: max(1, len(catalog) // SAMPLE_ROLES)][:SAMPLE_ROLES]
    slugs = [role.slug for role in sample]
    started = time.perf_counter()
    answers = [career.handle_command(slug, team_id=SINGLE_WORKSPACE) for slug in slugs]
    first_us = (time.perf_counter() - started) / len(slugs) * 1e6
    if not any("プロジェクトポジション" in str(block) for block in answers[0].blocks):
        raise RuntimeError(f"/career {slugs[0]} did not show the role card: {answers[0].text}")
    queries = [slugs[i % len(slugs)] for i in range(lookups)]
    started = time.perf_counter()
    for query in queries:
        career.handle_command(query, team_id=SINGLE_WORKSPACE)
    lookup_us = (time.perf_counter() - started) / len(queries) * 1e6

    misses = [f"unknownrole{i:03d}" for i in range(max(1, lookups // 20))]
    started = time.perf_counter()
    for query in misses:
        career.handle_command(query, team_id=SINGLE_WORKSPACE)
    miss_us = (time.perf_counter() - started) / len(misses) * 1e6

    return {
        "roles": len(catalog),
        "problems": [str(p) for p in content.errors][:5],
        "load_s": load_s,
        "rss_before_mb": rss_before,
        "rss_peak_mb": peak_rss_mb(),
        "helpers_rss_mb": helpers_rss,
        "first_us": first_us,
        "lookup_us": lookup_us,
        "miss_us": miss_us,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bench.content_scale DIRECTORY LOOKUPS", file=sys.stderr)
        return 2
    print(json.dumps(measure(Path(argv[0]), int(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
