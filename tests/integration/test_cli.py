"""`adreel generate` as a user runs it: a subprocess against the mesh started by `python -m stack`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from stack.config import REPO_ROOT
from stack.embedded import free_port
from stack.spawn import LaunchedStack, Ports
from tests.integration.test_stack_launcher import requires_mesh

SCENE = "a runner on an outdoor track at golden hour"


def adreel(*args: str, timeout_s: float = 600) -> subprocess.CompletedProcess[str]:
    """The `adreel` command (python -m client: same entry point, no reinstall needed)."""
    return subprocess.run(
        [sys.executable, "-m", "client", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


@pytest.fixture(scope="module")
def mesh_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole mesh on free ports, with the embedded PostgreSQL of a fresh ADREEL_HOME."""
    home = tmp_path_factory.mktemp("home")
    with LaunchedStack({**Ports().env(), "ADREEL_HOME": str(home)}) as stack:
        yield stack.start()


@requires_mesh
def test_generate_writes_a_1080p30_ad_with_music(mesh_url: str, tmp_path: Path) -> None:
    out = tmp_path / "ad.mp4"
    run = adreel(
        "generate", "pink tennis shoes with white laces", "--scene", SCENE,
        "--images", "4", "--pick", "2", "--order", "2,1", "--duration", "2",
        "--name", "AirRun Pro", "--cta", "Shop Now", "--genre", "chill",
        "--out", str(out), "--url", mesh_url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"Saved {out} (1920x1080, 30 fps" in run.stderr

    with av.open(str(out)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1920, 1080)
        assert video.average_rate == 30
        assert container.streams.audio, "music was on but the file has no audio"
        duration_s = float(container.duration or 0) / av.time_base
        # 1 s intro + 2 clips of 2 s + 1 s outro, less the cross-fades.
        assert 3.5 <= duration_s <= 8.0, duration_s
        frames = [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video)]
    assert abs(len(frames) - duration_s * 30) <= 2
    middle = frames[len(frames) // 2]
    assert middle.std() > 8, "the clip frames are flat"
    assert np.abs(frames[len(frames) // 3] - frames[2 * len(frames) // 3]).mean() > 2, "nothing moves"


@requires_mesh
def test_generate_names_the_bad_field_and_fails(mesh_url: str, tmp_path: Path) -> None:
    run = adreel(
        "generate", "pink tennis shoes", "--scene", SCENE, "--images", "2",
        "--out", str(tmp_path / "x.mp4"), "--url", mesh_url,
    )  # fmt: skip
    assert run.returncode == 1
    assert "num_images" in run.stderr
    assert not (tmp_path / "x.mp4").exists()


def test_generate_refuses_an_impossible_pick_before_calling_anything(tmp_path: Path) -> None:
    run = adreel(
        "generate", "pink tennis shoes", "--scene", SCENE, "--images", "4", "--pick", "1,9",
        "--url", f"http://127.0.0.1:{free_port()}", "--out", str(tmp_path / "x.mp4"),
    )  # fmt: skip
    assert run.returncode == 2
    assert "--pick: position 9 is not between 1 and 4" in run.stderr


def test_generate_says_when_adreel_is_not_running(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    run = adreel("generate", "tennis shoes", "--scene", SCENE, "--url", url, "--out", str(tmp_path / "a"))
    assert run.returncode == 3
    assert f"cannot reach Adreel at {url}" in run.stderr
