"""Filtergraph quoting (services/compositor/filtergraph.quote) checked by a real FFmpeg run."""

from __future__ import annotations

import subprocess
from pathlib import Path

from services.common.ffmpeg import ffmpeg_exe
from services.compositor.filtergraph import quote
from services.compositor.fonts import FONTS


def test_quoted_paths_survive_the_filtergraph(tmp_path: Path) -> None:
    """A real FFmpeg run: drawtext finds a font and a text file under a hostile directory name."""
    odd = tmp_path / "a'b:c,d;e[f]g\\h %i"
    odd.mkdir()
    (odd / "t.txt").write_text("x")
    font = odd / "font.ttf"
    font.write_bytes(FONTS["inter"].path.read_bytes())
    graph = f"drawtext=fontfile={quote(str(font))}:textfile={quote(str(odd / 't.txt'))}:expansion=none"
    source = ["-f", "lavfi", "-i", "color=s=64x64:d=0.1"]
    cmd = [ffmpeg_exe(), "-hide_banner", *source, "-vf", graph, "-f", "null", "-"]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-500:]
