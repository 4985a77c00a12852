"""Benchmark entry point: ``python -m benchmarks.run [part ...]``.

Parts: overhead, reduction, expression, sequences, sequence_seeds,
sequence_quality (needs the benchmark-only extra aeon for its MiniRocket
column: ``pip install -e .[bench]``), sequence_levers, next_word, icu,
parallel_search, scaling, skorch_overrides, and gpu (only where PyTorch sees a CUDA GPU; not
part of the default run).
Each part's section in ``benchmarks/RESULTS.md`` is replaced by this run's
figures; the other sections are kept, each with the command that made it.
"""

import argparse
import datetime
import importlib
import re
import sys
from pathlib import Path

import torch

from ._common import machine_description, silence

PARTS = {
    "overhead": "benchmarks.bench_overhead",
    "reduction": "benchmarks.bench_reduction",
    "expression": "benchmarks.bench_expression",
    "sequences": "benchmarks.bench_sequences",
    "sequence_seeds": "benchmarks.bench_sequence_seeds",
    "sequence_quality": "benchmarks.bench_sequence_quality",
    "sequence_levers": "benchmarks.bench_sequence_levers",
    "next_word": "benchmarks.bench_next_word",
    "icu": "benchmarks.bench_icu",
    "parallel_search": "benchmarks.bench_parallel_search",
    "scaling": "benchmarks.bench_scaling",
    "skorch_overrides": "benchmarks.bench_skorch_overrides",
    "gpu": "benchmarks.bench_gpu",
}
DEFAULT_PARTS = [part for part in PARTS if part != "gpu"]
RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = (
    "# Benchmark results\n\n"
    "Written by `python -m benchmarks.run`; each section names the command, date and machine "
    "that produced it. Timing comparisons are ratios measured side by side in one run "
    "(the scaling part runs each measurement in a fresh process, for its peak memory).\n"
)


def _sections(text):
    found = {}
    for match in re.finditer(r"<!-- part:(\w+) -->\n(.*?)<!-- /part -->\n", text, re.S):
        found[match.group(1)] = match.group(2)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("parts", nargs="*", choices=[*PARTS, []], help="default: all")
    parser.add_argument("--repeats", type=int, default=5, help="timing repetitions")
    args = parser.parse_args(argv)
    parts = args.parts or DEFAULT_PARTS
    silence()
    if parts != ["gpu"]:
        torch.set_num_threads(2)
    sections = _sections(RESULTS.read_text()) if RESULTS.exists() else {}
    for part in parts:
        print(f"== {part} ==", flush=True)
        module = importlib.import_module(PARTS[part])
        timed = ("overhead", "sequences", "skorch_overrides")
        kwargs = {"repeats": args.repeats} if part in timed else {}
        repeats = f" --repeats {args.repeats}" if kwargs and args.repeats != 5 else ""
        body = module.run(**kwargs)
        print(body, flush=True)
        stamp = datetime.date.today().isoformat()
        sections[part] = (
            f"## {part}\n\nCommand: `python -m benchmarks.run {part}{repeats}` ({stamp}; "
            f"{machine_description()})\n\n{body}\n\n"
        )
        text = (
            HEADER
            + "\n"
            + "".join(
                f"<!-- part:{name} -->\n{sections[name]}<!-- /part -->\n"
                for name in PARTS
                if name in sections
            )
        )
        RESULTS.write_text(text)
    print(f"Results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
