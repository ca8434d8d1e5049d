"""`adreel generate --brand/--logo`: the options reach the compose body; a logo needs a kit."""

from __future__ import annotations

from pathlib import Path

from stack.embedded import free_port
from tests.integration.test_cli import SCENE, adreel


def test_logo_without_a_brand_kit_is_refused_before_calling_anything(tmp_path: Path) -> None:
    run = adreel(
        "generate", "pink tennis shoes", "--scene", SCENE, "--logo", "top_left",
        "--url", f"http://127.0.0.1:{free_port()}", "--out", str(tmp_path / "x.mp4"),
    )  # fmt: skip
    assert run.returncode != 0 and "--logo needs --brand" in run.stderr
    run = adreel("generate", "shoes", "--scene", SCENE, "--logo", "middle", "--out", str(tmp_path / "y"))
    assert run.returncode == 2 and "--logo" in run.stderr


def test_help_lists_the_brand_options() -> None:
    run = adreel("generate", "--help")
    assert run.returncode == 0 and "--brand KIT_ID" in run.stdout and "bottom_right" in run.stdout
