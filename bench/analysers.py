"""`python -m bench.analysers [--only NAME,…] [--runs N] [--json PATH]`

Compares the Japanese morphological analysers behind bot.analysis (docs/FEEDBACK.md, "Choosing the
analyser") and prints Markdown tables:

- installed size: disk usage (like du) of every file the analyser's distributions installed, the
  dictionary included (for the Sudachi rows SudachiPy itself is counted in both);
- cold start: a fresh `python` process that imports the adapter, builds the analyser through
  `load_analyser` and tokenises one sentence — the process's wall time from spawn to exit (the
  median of --runs processes; the page cache is warm after the first), and the in-process part;
- resident memory after loading: the VmRSS delta (with its anonymous and file-backed parts, from
  /proc/self/status) around load + first tokenisation, and again after the reply corpus;
- per-reply time: 200 realistic replies of 50-400 characters (built below from a fixed bank of
  answer sentences, a fixed seed), one warm-up pass, then 3 timed passes: median and p99 of the
  600 calls;
- threads: the corpus twice over on one thread, then split over two threads with a tokenizer per
  thread and with one tokenizer behind a lock (median of 5 rounds each), and the memory a
  second thread's own tokenizer adds;
- maintenance: installed versions, and release dates from the package index listing;
- the qualitative checks that matter for matching (表記ゆれ, compounds, negation, numbers, ASCII
  terms): each probe's tokens as `normalized`, with ¬ on negating tokens.

Each analyser is measured in processes of its own, one after the other; every process has a
timeout. The whole run takes 1-2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CANDIDATES = {
    "sudachi-core": ["SudachiPy", "sudachidict-core"],
    "sudachi-small": ["SudachiPy", "sudachidict-small"],
    "fugashi-unidic-lite": ["fugashi", "unidic-lite"],
    "janome": ["janome"],
}

# Latest releases as the package index listed them (month), and the state of each dictionary.
MAINTENANCE = {
    "sudachi-core": "SudachiPy 0.7.0 (2026-09); SudachiDict 20261015 (2026-10), released several times a year",
    "sudachi-small": "SudachiPy 0.7.0 (2026-09); SudachiDict 20261015 (2026-10), released several times a year",
    "fugashi-unidic-lite": "fugashi 1.5.2 (2025-10); unidic-lite 1.0.8 (2021-01) packs UniDic 2.1.2 (2013), frozen",
    "janome": "janome 0.5.1 (0.5.0 was 2023-07); bundled mecab-ipadic 2.7.0-20070801, frozen",
}

PROBES = [
    "サーバ",
    "サーバー",
    "ユーザ",
    "ユーザー",
    "ECサイト",
    "マイクロセグメンテーション",
    "導入していません",
    "30%削減",
    "3割",
    "2倍",
    "EDR/SIEM/Zero Trust",
    "ゼロトラスト",
    # Beyond the brief's list: kanji numerals, a longer compound, a full-width term.
    "三十パーセント削減",
    "三割",
    "１０万円",
    "ゼロトラストアーキテクチャ",
    "ＥＤＲ導入済み",
]

# ------------------------------------------------------------------------------------ the replies

# Sentences of the kind members write when they answer an interview drill in a thread: plain and
# polite forms, negations, numbers, English terms and abbreviations, 表記ゆれ (サーバ/サーバー).
SENTENCES = [
    "前職ではCSIRTの立ち上げを担当し、インシデント対応の手順書を一から作りました。",
    "まず経営層にリスクを金額で説明して、セキュリティ投資の優先順位を合意しました。",
    "EDRを全端末に導入したことで、検知から封じ込めまでの時間を約30%削減できました。",
    "SIEMのアラートが多すぎたので、相関ルールを見直して誤検知を3割減らしました。",
    "Zero Trustの考え方に沿って、VPN依存をやめてIdPとデバイス証明書で認可する形にしました。",
    "ゼロトラストは製品ではなくアーキテクチャの考え方だと説明するようにしています。",
    "正直に言うと、マイクロセグメンテーションはまだ導入していません。",
    "サーバの脆弱性管理はスキャナの結果をチケット化し、CVSSとKEVで優先度を付けています。",
    "サーバーのパッチ適用はメンテナンスウィンドウを月2回に増やして対応しました。",
    "ユーザ教育としては、年4回の標的型メール訓練を実施しています。",
    "ユーザーからの問い合わせはヘルプデスク経由でSOCにエスカレーションされます。",
    "ECサイトのカード情報漏えいを防ぐために、PCI DSSの要件を洗い出しました。",
    "SLOは可用性99.9%で合意し、エラーバジェットを使い切ったらリリースを止めるルールにしました。",
    "ポストモーテムは誰かを責めるためではなく、仕組みを直すために書くものだと考えています。",
    "オンコールの負担が偏っていたので、ローテーションを見直して一人あたりの呼び出しを半分にしました。",
    "Kubernetesのクラスタ移行では、カナリアリリースで段階的にトラフィックを切り替えました。",
    "Terraformで環境をコード化して、手作業の設定変更をほぼゼロにしました。",
    "監視はPrometheusとGrafanaで、アラートは症状ベースに絞っています。",
    "障害対応の初動では、まず影響範囲を確認してステークホルダーに第一報を入れます。",
    "バックアップは取っていましたが、リストアの訓練はしていませんでした。",
    "ランサムウェア対策として、オフラインバックアップとイミュータブルストレージを用意しました。",
    "取締役会への報告では、技術用語を使わずにビジネスへの影響で話すよう心がけています。",
    "予算が限られていたので、リスクの高い順に対策を3つに絞りました。",
    "ISMSの認証取得を主導し、内部監査の仕組みも整えました。",
    "NIST CSFをベースに成熟度を評価し、2年で目標レベルに到達する計画を立てました。",
    "サプライチェーンリスクについては、委託先に年1回のセキュリティ評価をお願いしています。",
    "SOCアナリストとして、一日に約200件のアラートをトリアージしていました。",
    "誤検知かどうかの判断には、プロセスツリーと通信先のレピュテーションを確認します。",
    "フィッシングの報告が来たら、同じ件名のメールを全社で検索して削除します。",
    "脅威インテリジェンスはMITRE ATT&CKにマッピングして、検知ルールのギャップを洗い出しました。",
    "ログの保管期間は法令と社内規程を踏まえて1年としています。",
    "個人情報保護法の改正に合わせて、漏えい時の報告フローを見直しました。",
    "開発チームとはDevSecOpsの取り組みとして、CIにSASTとSCAを組み込みました。",
    "脆弱性診断は外部ベンダーに依頼していましたが、内製化も検討しています。",
    "エンジニア採用では、カジュアル面談の段階で技術的な期待値をすり合わせています。",
    "1on1は隔週で行い、キャリアの話と業務の話を分けるようにしています。",
    "評価制度はグレードごとに期待する行動を明文化しました。",
    "技術的負債の返済には、スプリントの20%を充てるというルールを作りました。",
    "アーキテクチャの意思決定はADRとして残し、後から経緯を追えるようにしています。",
    "マイクロサービス化は組織の規模に見合わないと判断して、モジュラーモノリスを選びました。",
    "クラウド移行でインフラコストが2倍になったので、リザーブドインスタンスで最適化しました。",
    "オンプレのサーバを減らし、SaaSに置き換えられるものは置き換えました。",
    "ベンダーロックインのリスクは認識していますが、今は開発速度を優先しています。",
    "CIOとしては、IT投資の効果をKPIで測ることを重視しています。",
    "DXの推進では、現場の業務フローを理解することから始めました。",
    "レガシーシステムの刷新は、ストラングラーパターンで少しずつ進めました。",
    "BCPの観点から、主要システムはマルチリージョン構成にしています。",
    "RTOは4時間、RPOは15分を目標にしています。",
    "インシデント発生時は、法務と広報を含めた対応体制を事前に決めてあります。",
    "経営陣にはセキュリティをコストではなく事業継続の前提として説明しました。",
    "その件はまだ経験がないので、はっきりとはわかりません。",
    "多要素認証は管理者アカウントには必須ですが、一般ユーザにはまだ展開できていません。",
    "特権IDの管理にはPAMを入れて、操作ログを全部記録しています。",
    "WAFのルールは誤検知が多かったので、最初はモニターモードで運用しました。",
    "DDoS対策はCDN側で吸収する構成にしています。",
    "シャドーITを把握するためにCASBを導入しましたが、全部は見えていないと思います。",
    "データ分類のルールを作り、機密情報には暗号化とアクセス制御を必須にしました。",
    "退職者のアカウント削除が漏れていたので、人事システムと連携して自動化しました。",
    "セキュリティチームは3名で、足りない部分はMSSPに委託しています。",
    "KPIとしてはMTTDとMTTRを毎月レポートしています。",
    "検知ルールはSigmaで書いて、SIEMごとに変換しています。",
    "ペネトレーションテストの指摘事項は、90日以内に是正するルールです。",
    "クラウドの設定ミスはCSPMで検出し、重大なものは自動で修復します。",
    "CTOとして、技術選定の理由を非エンジニアにも説明できるようにしています。",
    "開発生産性はFour Keysで測っていて、デプロイ頻度は週1回から毎日になりました。",
    "正直、そこまでは考えていなかったです。",
    "コンテナイメージの脆弱性スキャンはCIで止めるようにしましたが、例外申請が多いのが課題です。",
    "SREチームを作るときは、まずトイルの棚卸しから始めました。",
    "キャパシティプランニングは過去1年のトレンドから3割増しで見積もっています。",
    "セキュリティインシデントの件数は前年比で半分になりました。",
]
OPENERS = ["", "", "", "はい、", "自分の経験だと、", "前の会社の話になりますが、", "結論から言うと、", "補足すると、"]


def replies(count: int = 200, seed: int = 20240601) -> list[str]:
    """count replies of 50-400 characters, the same on every run."""
    rng = random.Random(seed)
    result: list[str] = []
    while len(result) < count:
        target = rng.randint(50, 400)
        reply = rng.choice(OPENERS)
        for sentence in rng.sample(SENTENCES, len(SENTENCES)):
            if len(reply) + len(sentence) > 400:
                continue
            reply += sentence
            if len(reply) >= target:
                break
        if len(reply) >= 50:
            result.append(reply)
    return result


# ------------------------------------------------------------------------- measured in a child process


ROUNDS = 5  # of the thread comparison


def _status() -> dict[str, float]:
    """VmRSS, RssAnon and RssFile in MiB."""
    values: dict[str, float] = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                values[key] = int(rest.split()[0]) / 1024
    return values


def _delta(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {key: round(after[key] - before[key], 1) for key in after}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def child_cold(name: str) -> dict:
    start = time.perf_counter()
    from bot.analysis import load_analyser

    analyser = load_analyser(name)
    analyser.tokens("サーバーを導入していません。")
    return {"in_process_s": time.perf_counter() - start}


def child_full(name: str) -> dict:
    before = _status()
    start = time.perf_counter()
    from bot.analysis import load_analyser
    from bot.analysis.analysers import ANALYSERS

    analyser = load_analyser(name)
    analyser.tokens("サーバーを導入していません。")
    loaded_s = time.perf_counter() - start
    after_load = _status()

    corpus = replies()
    for reply in corpus:  # warm-up
        analyser.tokens(reply)
    samples: list[float] = []
    token_count = 0
    for _ in range(3):
        for reply in corpus:
            t0 = time.perf_counter()
            token_count += len(analyser.tokens(reply))
            samples.append(time.perf_counter() - t0)
    after_corpus = _status()

    def two_threads(target) -> float:
        halves = [corpus, corpus]
        threads = [threading.Thread(target=lambda part=part: [target.tokens(r) for r in part]) for part in halves]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - t0

    def one_thread(target) -> float:
        t0 = time.perf_counter()
        for _ in range(2):
            for reply in corpus:
                target.tokens(reply)
        return time.perf_counter() - t0

    factory = ANALYSERS[name][0]
    locked = factory(concurrency="lock")
    per_thread = factory(concurrency="per-thread")
    rounds = {"one thread": [], "per-thread": [], "lock": []}
    one_thread(per_thread)  # the main thread's tokenizer exists before the extra one is measured
    before_thread = _status()
    box = {}

    def extra_thread() -> None:
        for reply in corpus:
            per_thread.tokens(reply)
        box["after"] = _status()  # while this thread's tokenizer is alive

    thread = threading.Thread(target=extra_thread)
    thread.start()
    thread.join()
    for _ in range(ROUNDS):
        rounds["one thread"].append(one_thread(per_thread))
        rounds["per-thread"].append(two_threads(per_thread))
        rounds["lock"].append(two_threads(locked))

    probes = {}
    for probe in PROBES:
        probes[probe] = [(t.surface, t.normalized, t.pos, t.negation) for t in analyser.tokens(probe)]
    return {
        "loaded_s": loaded_s,
        "rss_load": _delta(after_load, before),
        "rss_corpus": _delta(after_corpus, before),
        "reply_median_ms": statistics.median(samples) * 1000,
        "reply_p99_ms": _percentile(samples, 0.99) * 1000,
        "reply_chars_mean": sum(map(len, corpus)) / len(corpus),
        "tokens_per_reply": token_count / len(samples),
        "threads_s": {key: statistics.median(values) for key, values in rounds.items()},
        "rss_extra_thread": _delta(box["after"], before_thread),
        "probes": probes,
    }


# --------------------------------------------------------------------------------- the parent


def _du(path: Path, seen: set) -> int:
    """Disk usage in bytes of a file or a directory tree, each inode once (like du)."""
    total = 0
    paths = [path] if path.is_file() else [Path(root) / f for root, _, files in os.walk(path) for f in files]
    for item in paths:
        try:
            stat = item.lstat()
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) not in seen:
            seen.add((stat.st_dev, stat.st_ino))
            total += stat.st_blocks * 512
    return total


def installed(distributions: list[str]) -> tuple[int, dict[str, str]]:
    """Bytes on disk of the distributions' top-level files and folders (dist-info, .libs and
    __pycache__ included), and their versions."""
    seen: set = set()
    total = 0
    versions = {}
    for name in distributions:
        dist = metadata.distribution(name)
        versions[name] = dist.version
        base = Path(dist.locate_file(""))
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in sorted(tops):
            total += _du(base / top, seen)
    return total, versions


def _run_child(mode: str, name: str, timeout: float = 300) -> tuple[dict, float]:
    t0 = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.analysers", mode, name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - t0
    if completed.returncode != 0:
        raise RuntimeError(f"{mode} {name} failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1]), wall


def _available(name: str) -> bool:
    try:
        for dist in CANDIDATES[name]:
            metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


def measure(name: str, runs: int, progress) -> dict:
    size, versions = installed(CANDIDATES[name])
    cold_walls, cold_inside = [], []
    for index in range(runs):
        progress(f"{name}: cold start {index + 1}/{runs}")
        inside, wall = _run_child("--cold", name)
        cold_walls.append(wall)
        cold_inside.append(inside["in_process_s"])
    progress(f"{name}: memory, replies, threads, probes")
    full, _ = _run_child("--child", name)
    return {
        "name": name,
        "versions": versions,
        "size_bytes": size,
        "cold_wall_s": statistics.median(cold_walls),
        "cold_wall_samples": cold_walls,
        "cold_in_process_s": statistics.median(cold_inside),
        **full,
    }


def _mib(value: float) -> str:
    return f"{value:,.0f}"


def _rss(delta: dict[str, float]) -> str:
    return f"{_mib(delta['VmRSS'])} ({_mib(delta['RssAnon'])} + {_mib(delta['RssFile'])})"


def tables(results: list[dict]) -> str:
    lines = [
        "| Analyser | Versions | Installed size (MiB) | Cold start: fresh process / in process (s) | RSS after load: total (anon + "
        "file) (MiB) | RSS after 600 replies: total (anon + file) (MiB) | Per reply: median / p99 (ms) | Accuracy on the evaluation set |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        versions = ", ".join(f"{k} {v}" for k, v in r["versions"].items())
        load, corpus = r["rss_load"], r["rss_corpus"]
        lines.append(
            f"| {r['name']} | {versions} | {_mib(r['size_bytes'] / 2**20)} | "
            f"{r['cold_wall_s']:.2f} / {r['cold_in_process_s']:.2f} | "
            f"{_rss(load)} | {_rss(corpus)} | "
            f"{r['reply_median_ms']:.2f} / {r['reply_p99_ms']:.2f} | see below |"
        )
    lines += ["", "| Analyser | Maintenance |", "| --- | --- |"]
    lines += [f"| {r['name']} | {MAINTENANCE[r['name']]} |" for r in results]
    lines += [
        "",
        f"Two threads, 400 replies in all (s, median of {ROUNDS} rounds): one thread alone; two threads with a tokenizer each; "
        "two threads sharing one behind a lock. Last column: the RSS a second thread's own tokenizer adds (MiB).",
        "",
        "| Analyser | one thread | per-thread | lock | RSS of a thread's tokenizer: total (anon + file) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        t = r["threads_s"]
        lines.append(f"| {r['name']} | {t['one thread']:.2f} | {t['per-thread']:.2f} | {t['lock']:.2f} | {_rss(r['rss_extra_thread'])} |")
    lines += ["", "Qualitative checks (`normalized` of each token, ` · ` between tokens, ¬ = negation flag):", ""]
    lines.append("| Input | " + " | ".join(r["name"] for r in results) + " |")
    lines.append("| --- |" + " --- |" * len(results))
    for probe in PROBES:
        cells = []
        for r in results:
            cells.append(" · ".join(("¬" if neg else "") + norm for _, norm, _, neg in r["probes"][probe]).replace("|", "\\|"))
        lines.append(f"| {probe.replace('|', chr(92) + '|')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] in ("--cold", "--child"):
        result = child_cold(argv[1]) if argv[0] == "--cold" else child_full(argv[1])
        print(json.dumps(result, ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.analysers", description=__doc__.split("\n\n")[1])
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(CANDIDATES)}")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes for the cold start (default 3)")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    options = parser.parse_args(argv)
    names = options.only.split(",") if options.only else list(CANDIDATES)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        parser.error(f"unknown analyser(s): {', '.join(unknown)}")

    def progress(message: str) -> None:
        print(f"… {message}", file=sys.stderr, flush=True)

    results, missing = [], []
    for name in names:
        if _available(name):
            results.append(measure(name, options.runs, progress))
        else:
            missing.append(name)
    corpus = replies()
    from bench.report import cpu_model

    print(
        f"{time.strftime('%Y-%m-%d', time.gmtime())}; Python {platform.python_version()}; {os.cpu_count()} CPUs ({cpu_model()}), "
        f"load average {os.getloadavg()[0]:.1f}; {len(corpus)} replies of "
        f"{min(map(len, corpus))}-{max(map(len, corpus))} characters (mean {sum(map(len, corpus)) / len(corpus):.0f}).\n"
    )
    print(tables(results))
    if missing:
        print(f"\nNot installed, not measured: {', '.join(missing)}")
    if options.json:
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
