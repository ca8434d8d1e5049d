"""Measuring in a fresh interpreter: a bench runs itself again with `--phase <name> --work <dir>`,
so the phase's rusage covers that run only, and reads back the JSON line the phase prints."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def phase_parser(doc: str | None, phases: list[str]) -> argparse.ArgumentParser:
    """--repeat, and the hidden --phase and --work that `run_phase` passes to a bench's own run."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the fastest counts")
    parser.add_argument("--phase", choices=phases, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    return parser


def run_phase(module: str, phase: str, work: Path, *args: str) -> dict[str, float]:
    """`python -m <module> --phase <phase> --work <work> <args>`: the result it printed last."""
    cmd = [sys.executable, "-m", module, "--phase", phase, "--work", str(work), *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])
