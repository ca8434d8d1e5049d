"""Static checks of every Dockerfile (no Docker engine needed) and of the pinned requirements.

For each image in deploy/images.py: base images pinned by version tag, a non-root numeric USER,
every COPY source present and inside the build context its .dockerignore leaves, the CMD module
present and importable, the agent's port where its settings expect it, requirements.txt exactly
what `deploy/images.py pin` derives from the service's imports, and the FFmpeg filter check the
compositor and video_gen images run at build time passing on the wheel's FFmpeg.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_image_table() -> ModuleType:
    """deploy/images.py: which Dockerfile builds which image (a script, not a package)."""
    spec = importlib.util.spec_from_file_location("adreel_deploy_images", ROOT / "deploy" / "images.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


TABLE = load_image_table()
IMAGES = {image.name: image for image in TABLE.IMAGES}
PYTHON_IMAGES = [name for name, image in IMAGES.items() if image.requirements]
# What a COPY of a folder must really send (build outputs and caches may be left out).
SOURCE_SUFFIXES = {".py", ".txt", ".ini", ".mako", ".ttf", ".otf", ".ts", ".tsx", ".mjs", ".json", ".css"}
AGENT_PORTS = {"prompt-parser": 50051, "image-gen": 50052, "video-gen": 50053, "compositor": 50054}


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


def final_stage(dockerfile: str) -> list[Instruction]:
    instructions = parse(dockerfile)
    last = instructions[-1].stage
    return [i for i in instructions if i.stage == last]


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


@pytest.mark.parametrize("name", IMAGES)
def test_base_images_are_pinned_by_version_tag(name: str) -> None:
    stages: set[str] = set()
    for instruction in parse(IMAGES[name].dockerfile):
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
    users = [i.args for i in final_stage(IMAGES[name].dockerfile) if i.op == "USER"]
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
    copies = [i for i in parse(image.dockerfile) if i.op in ("COPY", "ADD")]
    assert copies
    for instruction in copies:
        words = shlex.split(instruction.args)
        if any(w.startswith("--from=") for w in words):
            continue
        sources = [w for w in words if not w.startswith("--")][:-1]
        for source in sources:
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
    own = Path(IMAGES[name].dockerfile).parent
    for other in PYTHON_IMAGES:
        folder = Path(IMAGES[other].dockerfile).parent
        if folder != own:
            assert ignored(patterns, f"{folder.as_posix()}/module.py"), folder
    assert ignored(patterns, f"{own.as_posix()}/Dockerfile")
    assert not ignored(patterns, "services/common/server.py")
    assert not ignored(patterns, "adreel/v1/common_pb2.py")


@pytest.mark.parametrize("name", PYTHON_IMAGES)
def test_cmd_module_exists_and_imports(name: str) -> None:
    (cmd,) = [i for i in final_stage(IMAGES[name].dockerfile) if i.op == "CMD"]
    argv = ast.literal_eval(cmd.args)
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
    instructions = final_stage(IMAGES[name].dockerfile)
    module = IMAGES[name].dockerfile.split("/")[1]
    settings = importlib.import_module(f"services.{module}.config").Settings
    port = settings.model_fields["port"].default
    assert port == AGENT_PORTS[name]
    env = " ".join(i.args for i in instructions if i.op == "ENV")
    assert f"PORT={port}" in env.split()
    assert "ADREEL_HOST=0.0.0.0" in env.split()  # loopback (the default) is unreachable from the kubelet
    assert [i.args for i in instructions if i.op == "EXPOSE"] == [str(port)]


def test_compositor_image_carries_its_fonts() -> None:
    instructions = final_stage(IMAGES["compositor"].dockerfile)
    assert any(i.op == "COPY" and i.args.split()[0] == "services/compositor/" for i in instructions)
    fonts = ROOT / "services" / "compositor" / "fonts"
    assert len(list(fonts.glob("*.[ot]tf"))) >= 5
    assert any((fonts / "licenses").iterdir())
    requirements = (ROOT / IMAGES["compositor"].requirements).read_text()
    assert re.search(r"^imageio-ffmpeg==", requirements, re.M)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("name", ["compositor", "video-gen"])
def test_build_time_ffmpeg_filter_check_passes_on_the_wheel_binary(name: str) -> None:
    """The image build runs this snippet; run it here against the same imageio-ffmpeg wheel."""
    runs = [i.args for i in parse(IMAGES[name].dockerfile) if i.op == "RUN" and "imageio_ffmpeg" in i.args]
    (run,) = runs
    argv = shlex.split(run)
    assert argv[:2] == ["/opt/venv/bin/python", "-c"]
    result = run_python(argv[2])
    assert result.returncode == 0, result.stderr
    # ...and the check can fail: ask for a filter no FFmpeg has.
    broken = argv[2].replace("'overlay'", "'no_such_filter'")
    assert broken != argv[2]
    failed = run_python(broken)
    assert failed.returncode != 0 and "no_such_filter" in failed.stderr


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
    (deps,) = [i.args for i in parse(IMAGES[name].dockerfile) if i.op == "RUN" and "pip install" in i.args]
    assert "--require-hashes" in deps and "--no-deps" in deps and "pip check" in deps


def test_web_image_uses_next_standalone_output() -> None:
    dockerfile = IMAGES["web"].dockerfile
    runs = " ".join(i.args for i in parse(dockerfile) if i.op == "RUN")
    assert 'output: "standalone"' in runs and "npm run build" in runs and "npm ci" in runs
    final = final_stage(dockerfile)
    copies = [i.args for i in final if i.op == "COPY"]
    assert any(".next/standalone" in c for c in copies) and any(".next/static" in c for c in copies)
    (cmd,) = [i.args for i in final if i.op == "CMD"]
    assert ast.literal_eval(cmd) == ["node", "server.js"]
    env = " ".join(i.args for i in final if i.op == "ENV").split()
    assert "HOSTNAME=0.0.0.0" in env and "PORT=3000" in env
    assert '"build": "next build"' in (ROOT / "frontend" / "package.json").read_text()
