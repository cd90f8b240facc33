"""Run every benchmark under bench/ and rewrite docs/benchmarks.md.

Each ``bench/bench_*.py`` defines ``run(repeats: int) -> list[Result]``. A result is a measured figure and
its baseline, both measured in the same run, reported as a ratio (never as an absolute time asserted in a
test). Medians over ``repeats`` runs. The database is PostgreSQL (``DATABASE_URL``, default a local
``earlyhelp_bench`` database, created and migrated when missing).

    python bench/run.py [--repeats 5] [--only report]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    benchmark: str
    measure: str
    baseline: str
    measure_seconds: list[float]
    baseline_seconds: list[float]
    target: str = ""
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return statistics.median(self.measure_seconds) / statistics.median(self.baseline_seconds)


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def setup_django() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/earlyhelp_bench")
    os.environ.pop("CELERY_BROKER_URL", None)
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[-1]
        exists = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()
        if exists != "1":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url.split("@")[-1]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} · {os.cpu_count()} cores · {cpu} · Python {platform.python_version()}"


def write_markdown(results: list[Result], repeats: int, database: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine()}. "
        f"Database: {database}. Each figure is the median of {repeats} runs; the ratio compares the measured "
        "path with its baseline measured in the same run.",
        "",
        "| benchmark | measured | baseline | median measured (s) | median baseline (s) | ratio | target | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.benchmark} | {r.measure} | {r.baseline} | {statistics.median(r.measure_seconds):.3f} | "
            f"{statistics.median(r.baseline_seconds):.3f} | **{r.ratio:.2f}×** | {r.target} | {r.notes} |"
        )
    lines += ["", "Individual runs (seconds):", ""]
    for r in results:
        lines.append(f"* {r.benchmark}: measured {', '.join(f'{s:.3f}' for s in r.measure_seconds)}; "
                     f"baseline {', '.join(f'{s:.3f}' for s in r.baseline_seconds)}")
        for key, value in r.extra.items():
            lines.append(f"  * {key}: {value}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    database = setup_django()
    results: list[Result] = []
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        if args.only and args.only not in path.stem:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}", flush=True)
        for result in module.run(args.repeats):
            print(f"   {result.benchmark}: ratio {result.ratio:.2f} ({result.target})", flush=True)
            results.append(result)
    output = Path(args.output)
    kept = ""
    if output.exists():  # sections written by other tools (e.g. "## Load test" from bench/load.py) are kept
        text = output.read_text()
        marker = text.find("\n## ")
        kept = text[marker:] if marker != -1 else ""
    output.write_text(write_markdown(results, args.repeats, database) + kept)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
