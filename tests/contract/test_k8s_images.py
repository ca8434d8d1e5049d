"""Static checks of every Dockerfile (no Docker engine needed) and of the pinned requirements.

For each image in deploy/images.py: base images pinned by version tag, a non-root numeric USER,
every COPY source present and inside the build context its .dockerignore leaves, the CMD module
present and importable, the agent's port where its settings expect it, requirements.txt exactly
what `deploy/images.py pin` derives from the service's imports, and the FFmpeg filter check the
compositor and video_gen images run at build time passing on the wheel's FFmpeg. The agents share
services/Dockerfile: each image is checked as its build args make it.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.contract.image_table import load_image_table

ROOT = Path(__file__).resolve().parents[2]
TABLE = load_image_table()
IMAGES = {image.name: image for image in TABLE.IMAGES}
PYTHON_IMAGES = [name for name, image in IMAGES.items() if image.requirements]
# What a COPY of a folder must really send (build outputs and caches may be left out).
SOURCE_SUFFIXES = {".py", ".txt", ".ini", ".mako", ".ttf", ".otf", ".ts", ".tsx", ".mjs", ".json", ".css"}
AGENT_PORTS = {
    "prompt-parser": 50051,
    "image-gen": 50052,
    "video-gen": 50053,
    "compositor": 50054,
    "ledger": 50055,
}


@dataclass(frozen=True)
class Instruction:
    op: str
    args: str
    stage: int  # index of the FROM it belongs to


@cache
def parse(dockerfile: str) -> tuple[Instruction, ...]:
    """Instructions with line continuations joined and comments dropped."""
    lines = [
        line for line in (ROOT / dockerfile).read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    text = re.sub(r"\\\n", " ", "\n".join(lines))
    out: list[Instruction] = []
    stage = -1
    for line in text.splitlines():
        if not line.strip():
            continue
        op, _, args = line.strip().partition(" ")
        stage += op.upper() == "FROM"
        out.append(Instruction(op.upper(), args.strip(), stage))
    return tuple(out)


@cache
def instructions(name: str) -> tuple[Instruction, ...]:
    """The image's instructions as its build args make them: `${ARG}` replaced (by the build arg,
    else the ARG's default, else nothing) where Docker replaces it. RUN and CMD are left as written:
    their shell expands them, at build or at run time."""
    image = IMAGES[name]
    values: dict[str, str] = {}
    for instruction in parse(image.dockerfile):
        if instruction.op == "ARG":
            arg, _, default = instruction.args.partition("=")
            values.setdefault(arg, default.strip('"'))
    values.update(image.build_args)

    def expand(text: str) -> str:
        def value(match: re.Match[str]) -> str:
            assert match[1] in values, f"{image.dockerfile}: ${{{match[1]}}} is no ARG"
            return values[match[1]]

        return re.sub(r"\$\{(\w+)\}", value, text)

    return tuple(
        i if i.op in ("RUN", "CMD") else Instruction(i.op, expand(i.args), i.stage)
        for i in parse(image.dockerfile)
    )


def final_stage(name: str) -> list[Instruction]:
    found = instructions(name)
    last = found[-1].stage
    return [i for i in found if i.stage == last]


def folder(name: str) -> str:
    """The service's own folder (where its requirements.txt is)."""
    return Path(IMAGES[name].requirements).parent.as_posix()


def copied(name: str) -> list[str]:
    """The sources the image copies from its build context."""
    sources: list[str] = []
    for instruction in instructions(name):
        words = shlex.split(instruction.args)
        if instruction.op in ("COPY", "ADD") and not any(w.startswith("--from=") for w in words):
            sources += [w for w in words if not w.startswith("--")][:-1]
    return sources


def dockerignore_for(image_name: str) -> Path:
    image = IMAGES[image_name]
    per_dockerfile = ROOT / (image.dockerfile + ".dockerignore")
    return per_dockerfile if per_dockerfile.exists() else ROOT / image.context / ".dockerignore"


def ignored(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = glob_regex(pattern.removeprefix("!").strip("/"))
        if any(regex.fullmatch(c) for c in candidates):
            excluded = not negate
    return excluded


def glob_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignore_patterns(image_name: str) -> list[str]:
    text = dockerignore_for(image_name).read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_every_service_folder_has_its_image() -> None:
    agents = {p.parent.name for p in (ROOT / "services").glob("*/__main__.py")}
    assert {a.replace("_", "-") for a in agents} <= set(IMAGES)
    for image in IMAGES.values():
        assert (ROOT / image.dockerfile).is_file(), image.dockerfile
        assert dockerignore_for(image.name).is_file(), image.name


def test_build_args_are_the_dockerfiles_args() -> None:
    """What deploy/images.py passes is what the Dockerfile reads, and every ARG without a default
    is given: an agent's image can't silently build another's folder, or none."""
    for name, image in IMAGES.items():
        declared = {i.args.partition("=") for i in parse(image.dockerfile) if i.op == "ARG"}
        given = dict(image.build_args)
        assert set(given) <= {arg for arg, _, _ in declared}, name
        defaulted = {arg for arg, eq, _ in declared if eq}
        assert {arg for arg, _, _ in declared} - defaulted <= set(given), name


def test_agents_share_one_dockerfile() -> None:
    agents = {p.parent.name for p in (ROOT / "services").glob("*/__main__.py")}
    for agent in agents:
        image = IMAGES[agent.replace("_", "-")]
        assert image.dockerfile == "services/Dockerfile"
        assert dict(image.build_args)["SERVICE"] == agent
        assert folder(image.name) == f"services/{agent}"


@pytest.mark.parametrize("name", IMAGES)
def test_base_images_are_pinned_by_version_tag(name: str) -> None:
    stages: set[str] = set()
    for instruction in instructions(name):
        if instruction.op != "FROM":
            continue
        words = instruction.args.split()
        base = words[0]
        if base not in stages:
            # e.g. python:3.11.11-slim-bookworm: a full version, never a floating `latest`/major tag.
            assert re.fullmatch(r"[a-z0-9./-]+:\d+\.\d+\.\d+-[a-z0-9.-]*slim[a-z0-9.-]*", base), base
        if len(words) == 3 and words[1].upper() == "AS":
            stages.add(words[2])


@pytest.mark.parametrize("name", IMAGES)
def test_runs_as_a_numeric_non_root_user(name: str) -> None:
    users = [i.args for i in final_stage(name) if i.op == "USER"]
    assert users, "the final stage sets no USER (it would run as root)"
    uid, _, gid = users[-1].partition(":")
    # Numeric, so the kubelet can verify runAsNonRoot without reading /etc/passwd.
    assert uid.isdigit() and int(uid) > 0, users[-1]
    assert not gid or (gid.isdigit() and int(gid) > 0)


@pytest.mark.parametrize("name", IMAGES)
def test_copy_sources_exist_inside_the_build_context(name: str) -> None:
    image = IMAGES[name]
    context = ROOT / image.context
    patterns = ignore_patterns(name)
    assert [i for i in instructions(name) if i.op in ("COPY", "ADD")]
    for source in copied(name):
        path = context / source
        assert path.exists(), f"COPY {source}: not in the context {image.context}"
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in SOURCE_SUFFIXES]
        rel = [f.relative_to(context).as_posix() for f in files]
        rel = [r for r in rel if not r.startswith(("node_modules/", ".next/"))]
        left_out = [r for r in rel if ignored(patterns, r)]
        assert rel and not left_out, f"COPY {source}: {left_out[:3]} excluded by the dockerignore"


@pytest.mark.parametrize("name", [n for n in IMAGES if IMAGES[n].context == "."])
def test_build_context_leaves_out_what_the_image_does_not_use(name: str) -> None:
    patterns = ignore_patterns(name)
    for path in (".venv/bin/python", "frontend/package.json", "tests/conftest.py", ".git/HEAD", "README.md"):
        assert ignored(patterns, path), path
    dockerfile = IMAGES[name].dockerfile
    for other in PYTHON_IMAGES:
        if folder(other) == folder(name):
            continue
        if IMAGES[other].dockerfile == dockerfile:
            # The agents share a Dockerfile, and so its context: each copies its own folder only.
            assert not [s for s in copied(name) if s.startswith(folder(other) + "/")], other
        else:
            assert ignored(patterns, f"{folder(other)}/module.py"), folder(other)
    assert ignored(patterns, dockerfile)
    assert not ignored(patterns, "services/common/server.py")
    assert not ignored(patterns, "adreel/v1/common_pb2.py")


@pytest.mark.parametrize("name", PYTHON_IMAGES)
def test_cmd_module_exists_and_imports(name: str) -> None:
    final = final_stage(name)
    (cmd,) = [i for i in final if i.op == "CMD"]
    argv = ast.literal_eval(cmd.args)
    if argv[:2] == ["sh", "-c"]:
        # The agents' CMD names the module through the image's ENV, and `exec`s Python (PID 1).
        env = dict(w.split("=", 1) for i in final if i.op == "ENV" for w in shlex.split(i.args))
        line = shlex.split(re.sub(r"\$(\w+)", lambda m: env[m[1]], argv[2]))
        assert line[0] == "exec", argv
        argv = line[1:]
    assert argv[:2] == ["python", "-m"], argv
    module = argv[2]
    if module == "services.ledger" and not (ROOT / "services" / "ledger" / "__main__.py").exists():
        pytest.skip("services/ledger is not written yet")
    main = ROOT / module.replace(".", "/") / "__main__.py"
    assert main.is_file(), main
    # Import what __main__ imports, without running it (an agent's __main__ starts serving).
    for node in ast.walk(ast.parse(main.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(imported, alias.name), f"{node.module}.{alias.name}"


@pytest.mark.parametrize("name", AGENT_PORTS)
def test_agent_image_listens_where_its_settings_and_probes_expect(name: str) -> None:
    final = final_stage(name)
    module = dict(IMAGES[name].build_args)["SERVICE"]
    settings = importlib.import_module(f"services.{module}.config").Settings
    port = settings.model_fields["port"].default
    assert port == AGENT_PORTS[name]
    env = " ".join(i.args for i in final if i.op == "ENV")
    assert f"PORT={port}" in env.split()
    assert "ADREEL_HOST=0.0.0.0" in env.split()  # loopback (the default) is unreachable from the kubelet
    assert [i.args for i in final if i.op == "EXPOSE"] == [str(port)]


def test_compositor_image_carries_its_fonts() -> None:
    final = final_stage("compositor")
    assert any(i.op == "COPY" and i.args.split()[0] == "services/compositor/" for i in final)
    fonts = ROOT / "services" / "compositor" / "fonts"
    assert len(list(fonts.glob("*.[ot]tf"))) >= 5
    assert any((fonts / "licenses").iterdir())
    requirements = (ROOT / IMAGES["compositor"].requirements).read_text()
    assert re.search(r"^imageio-ffmpeg==", requirements, re.M)


def run_shell(line: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A RUN line through sh as the build runs it, with this interpreter for the image's venv."""
    line = line.replace("/opt/venv/bin/python", sys.executable)
    return subprocess.run(
        ["sh", "-c", line], env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("name", ["compositor", "video-gen"])
def test_build_time_ffmpeg_filter_check_passes_on_the_wheel_binary(name: str) -> None:
    """The image build runs this line; run it here against the same imageio-ffmpeg wheel."""
    (run,) = [i.args for i in instructions(name) if i.op == "RUN" and "imageio_ffmpeg" in i.args]
    filters = dict(IMAGES[name].build_args)["FFMPEG_FILTERS"]
    assert "overlay" in filters.split()
    result = run_shell(run, FFMPEG_FILTERS=filters)
    assert result.returncode == 0, result.stderr
    # ...and the check can fail: ask for a filter no FFmpeg has.
    failed = run_shell(run, FFMPEG_FILTERS=f"{filters} no_such_filter")
    assert failed.returncode != 0 and "no_such_filter" in failed.stderr
    # An agent without FFmpeg (no filters asked for) skips it: its venv has no imageio_ffmpeg.
    assert run_shell(run.replace("/opt/venv/bin/python", "false"), FFMPEG_FILTERS="").returncode == 0


@pytest.mark.parametrize("name", PYTHON_IMAGES)
def test_requirements_are_the_locked_pins_of_what_the_service_imports(name: str) -> None:
    """Compared with uv.lock, never with .venv: a new upstream release cannot make this fail."""
    image = IMAGES[name]
    text = (ROOT / image.requirements).read_text()
    blocks = re.sub(r" \\\n\s+", " ", text).splitlines()
    pins = [b for b in blocks if b and not b.startswith("#")]
    # Every pin exact and hashed, so the image's `pip install --require-hashes` takes nothing else.
    pin = r"[a-z0-9-]+==[\w.+-]+( --hash=sha256:[0-9a-f]{64})+"
    assert pins and all(re.fullmatch(pin, p) for p in pins), [p for p in pins if not re.fullmatch(pin, p)]
    assert text == TABLE.requirements_text(image), f"{image.requirements} is stale: run `make lock`"
    locked = {(p.name, p.version) for p in TABLE.lockfile.packages()}
    for p in pins:
        name, _, version = p.split()[0].partition("==")
        assert (name, version) in locked, p


@pytest.mark.parametrize("name", PYTHON_IMAGES)
def test_image_installs_only_hashed_requirements(name: str) -> None:
    (deps,) = [i.args for i in instructions(name) if i.op == "RUN" and "pip install" in i.args]
    assert "--require-hashes" in deps and "--no-deps" in deps and "pip check" in deps


def test_web_image_uses_next_standalone_output() -> None:
    runs = " ".join(i.args for i in instructions("web") if i.op == "RUN")
    assert 'output: "standalone"' in runs and "npm run build" in runs and "npm ci" in runs
    final = final_stage("web")
    copies = [i.args for i in final if i.op == "COPY"]
    assert any(".next/standalone" in c for c in copies) and any(".next/static" in c for c in copies)
    (cmd,) = [i.args for i in final if i.op == "CMD"]
    assert ast.literal_eval(cmd) == ["node", "server.js"]
    env = " ".join(i.args for i in final if i.op == "ENV").split()
    assert "HOSTNAME=0.0.0.0" in env and "PORT=3000" in env
    assert '"build": "next build"' in (ROOT / "frontend" / "package.json").read_text()
