"""Benchmarks and the reliability suite: `python -m bench` (docs/PERFORMANCE.md) and
`python -m bench.reliability` (docs/RELIABILITY.md).

Every performance benchmark runs the real code paths (the Procfile's web process, the content
loader, the drill tick with the Slack client) against local stand-ins on 127.0.0.1, measures its
baseline in the same run, and repeats each measurement so that the report gives a median and a
spread.
"""
