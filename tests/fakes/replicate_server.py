"""A local HTTP server that speaks Replicate's HTTP API as documented, scriptable per model.

Endpoints (https://replicate.com/docs/reference/http):
  POST /v1/models/{owner}/{name}/predictions   official models, no version
  POST /v1/predictions                          {"version": "<id>" | "owner/name:<id>", "input": {...}}
  GET  /v1/predictions/{id}
  POST /v1/predictions/{id}/cancel
  POST /v1/files (multipart "content"), GET /v1/files/{id}, GET /v1/files/{id}/download
  GET  /delivery/{file_id}/{name}               output files (replicate.delivery stand-in)
`Prefer: wait` / `Prefer: wait=N` holds the create call up to N s (default 60) and answers with the
prediction's state at that moment. Statuses run starting -> processing -> succeeded | failed |
canceled; terminal predictions carry metrics.predict_time; errors are RFC 7807 problem JSON.

Each model has a handler: `async def handler(p: FakePrediction) -> output`. It may sleep, write
logs (`p.log`, `p.progress` in tqdm's format, which the client parses), publish files (`p.file`,
served by this server), set metrics, raise `ModelFailure` to fail, or be cancelled. `throttle()`
makes the next create calls answer 429 (or 5xx) with Retry-After. One deliberate difference:
inputs are checked strictly against the model's declared schema (Replicate ignores unknown
fields), so a misspelled input fails loudly in tests instead of being silently dropped.

Runs uvicorn in a background thread: usable from sync and async tests and by agent subprocesses.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TERMINAL = ("succeeded", "failed", "canceled")
DEFAULT_TOKEN = "r8_fake_contract_token"


class ModelFailure(Exception):
    """Raised by a handler: the prediction ends `failed` with this message as its error."""


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )


def token_chunks(text: str) -> list[str]:
    """Text split the way Replicate's language models stream it: a list of small string pieces."""
    return re.findall(r"\s*\S+|\s+$", text) or [""]


@dataclass
class StoredFile:
    id: str
    name: str
    content_type: str
    data: bytes
    created_at: str


@dataclass
class FakePrediction:
    id: str
    model: str
    version: str
    input: dict[str, Any]
    server: FakeReplicate
    status: str = "starting"
    output: Any = None
    error: str | None = None
    logs: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    created_at: str = field(default_factory=_now)
    started_at: str | None = None
    completed_at: str | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def log(self, line: str) -> None:
        self.logs.append(line)

    def progress(self, step: int, total: int) -> None:
        """A tqdm progress line, the format replicate-python's Prediction.progress parses."""
        pct = int(100 * step / total)
        bar = "#" * (pct // 10) + " " * (10 - pct // 10)
        self.log(f"{pct:3d}%|{bar}| {step}/{total} [00:01<00:01, 9.99it/s]")

    def file(self, data: bytes, name: str, content_type: str) -> str:
        """Publish an output file; returns its URL on this server (like replicate.delivery)."""
        return self.server.add_file(data, name, content_type, delivery=True)

    def read_input(self, value: str) -> bytes:
        """The bytes behind a file input: a URL of this server (uploaded via /v1/files) or data: URI."""
        return self.server.read_url(value)

    def to_json(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "model": self.model,
            "version": self.version,
            "input": self.input,
            "logs": "\n".join(self.logs),
            "output": self.output,
            "data_removed": False,
            "error": self.error,
            "status": self.status,
            "source": "api",
            "created_at": self.created_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "metrics": self.metrics,
            "urls": {
                "get": f"{base_url}/v1/predictions/{self.id}",
                "cancel": f"{base_url}/v1/predictions/{self.id}/cancel",
                "web": f"{base_url}/p/{self.id}",
            },
        }


Handler = Callable[[FakePrediction], Awaitable[Any]]


@dataclass
class FakeModel:
    name: str
    handler: Handler
    version: str
    official: bool
    # Cog's OpenAPI "Input" schema, reduced: {"properties": {...}, "required": [...]}.
    schema: dict[str, Any] | None
    start_delay_s: float


@dataclass
class Throttle:
    remaining: int
    status: int
    retry_after: float


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _validate(schema: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Problems with an input, phrased like Replicate's 422 details ("input.seed: ...")."""
    problems: list[str] = []
    props: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in data:
            problems.append(f"input: {name} is required")
    for name, value in data.items():
        spec = props.get(name)
        if spec is None:
            problems.append(f"input: additional property {name} is not allowed")
            continue
        kind = spec.get("type")
        ok_types = _JSON_TYPES.get(kind, (object,))
        if isinstance(value, bool) and kind in ("integer", "number"):
            ok_types = ()
        if not isinstance(value, ok_types):
            problems.append(f"input.{name}: Invalid type. Expected: {kind}")
            continue
        if "enum" in spec and value not in spec["enum"]:
            allowed = ", ".join(repr(v) for v in spec["enum"])
            problems.append(f"input.{name}: must be one of the following: {allowed}")
        if "minimum" in spec and value < spec["minimum"]:
            problems.append(f"input.{name}: Must be greater than or equal to {spec['minimum']}")
        if "maximum" in spec and value > spec["maximum"]:
            problems.append(f"input.{name}: Must be less than or equal to {spec['maximum']}")
        if spec.get("format") == "uri" and not re.match(r"^(https?|data):", value):
            problems.append(f"input.{name}: Does not match format 'uri'")
    return problems


class FakeReplicate:
    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.models: dict[str, FakeModel] = {}
        self.predictions: dict[str, FakePrediction] = {}
        self.files: dict[str, StoredFile] = {}
        self.requests: list[RecordedRequest] = []
        self._throttles: dict[str, list[Throttle]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Route("/v1/account", self._account, methods=["GET"]),
                Route("/v1/models/{owner}/{name}/predictions", self._create_official, methods=["POST"]),
                Route("/v1/predictions", self._create_versioned, methods=["POST"]),
                Route("/v1/predictions/{id}", self._get, methods=["GET"]),
                Route("/v1/predictions/{id}/cancel", self._cancel, methods=["POST"]),
                Route("/v1/files", self._upload, methods=["POST"]),
                Route("/v1/files/{id}", self._file_info, methods=["GET"]),
                Route("/v1/files/{id}/download", self._download, methods=["GET"]),
                Route("/delivery/{id}/{name}", self._download, methods=["GET"]),
            ]
        )

    # -- scripting ---------------------------------------------------------------------------
    def add_model(
        self,
        name: str,
        handler: Handler,
        *,
        version: str | None = None,
        official: bool | None = None,
        schema: dict[str, Any] | None = None,
        start_delay_s: float = 0.0,
    ) -> FakeModel:
        """Register `owner/name`. With `version`, it is a community model run by version id only."""
        pinned = version or hashlib.sha256(name.encode()).hexdigest()
        model = FakeModel(
            name, handler, pinned, version is None if official is None else official, schema, start_delay_s
        )
        self.models[name] = model
        return model

    def throttle(self, model: str, times: int = 1, retry_after: float = 1, status: int = 429) -> None:
        """The next `times` create calls for `model` answer `status` with a Retry-After header."""
        with self._lock:
            self._throttles.setdefault(model, []).append(Throttle(times, status, retry_after))

    def unthrottle(self, model: str) -> None:
        """`model` answers again: the throttles left for it are dropped."""
        with self._lock:
            self._throttles.pop(model, None)

    def calls(self, model: str) -> list[FakePrediction]:
        return [p for p in list(self.predictions.values()) if p.model == model]

    def creates(self, model: str) -> list[RecordedRequest]:
        """Every create request for `model`, including refused ones (429s)."""
        owner, name = model.split("/")
        version = self.models[model].version if model in self.models else None
        return [
            r
            for r in list(self.requests)
            if r.method == "POST"
            and (
                r.path == f"/v1/models/{owner}/{name}/predictions"
                or (
                    r.path == "/v1/predictions"
                    and isinstance(r.body, dict)
                    and str(r.body.get("version", "")).split(":")[-1] == version
                )
            )
        ]

    def add_file(self, data: bytes, name: str, content_type: str, *, delivery: bool = False) -> str:
        file_id = f"f{next(self._ids):06d}{hashlib.sha256(data).hexdigest()[:10]}"
        self.files[file_id] = StoredFile(file_id, name, content_type, data, _now())
        if delivery:
            return f"{self.base_url}/delivery/{file_id}/{name}"
        return f"{self.base_url}/v1/files/{file_id}"

    def read_url(self, value: str) -> bytes:
        if value.startswith("data:"):
            return base64.b64decode(value.split(",", 1)[1])
        parts = urlsplit(value)
        if f"{parts.scheme}://{parts.netloc}" != self.base_url:
            raise ModelFailure(f"cannot fetch {value}: not a URL of this server")
        segments = parts.path.strip("/").split("/")
        file_id = segments[2] if segments[:2] == ["v1", "files"] else segments[1]
        if file_id not in self.files:
            raise ModelFailure(f"file {file_id} not found")
        return self.files[file_id].data

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeReplicate:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Replicate server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server and self._thread:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeReplicate:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP --------------------------------------------------------------------------------
    async def _record(self, request: Request) -> Response | None:
        body: Any = None
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = await request.json()
            except ValueError:
                return _problem(400, "Bad request", "body is not valid JSON")
        self.requests.append(RecordedRequest(request.method, request.url.path, dict(request.headers), body))
        auth = request.headers.get("authorization", "")
        if auth not in (f"Bearer {self.token}", f"Token {self.token}"):
            return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        return None

    def _throttled(self, model: str) -> Response | None:
        with self._lock:
            queue = self._throttles.get(model, [])
            if not queue:
                return None
            t = queue[0]
            t.remaining -= 1
            if t.remaining <= 0:
                queue.pop(0)
        retry = f"{t.retry_after:g}"
        if t.status == 429:
            return _problem(
                429,
                "Request was throttled",
                f"Expected available in {retry} seconds.",
                {"Retry-After": retry},
            )
        return _problem(t.status, "Service unavailable", "try again later", {"Retry-After": retry})

    async def _account(self, request: Request) -> Response:
        if (refused := await self._record(request)) is not None:
            return refused
        return JSONResponse(
            {"type": "user", "username": "adreel-ci", "name": "Adreel CI", "github_url": None}
        )

    async def _create_official(self, request: Request) -> Response:
        if (refused := await self._record(request)) is not None:
            return refused
        name = f"{request.path_params['owner']}/{request.path_params['name']}"
        model = self.models.get(name)
        if model is None:
            return _problem(404, "Not found", f"The requested resource {name} could not be found.")
        if not model.official:
            return _problem(
                422,
                "Invalid version or not permitted",
                f"{name} is not an official model: create predictions with a version id",
            )
        return await self._create(request, model)

    async def _create_versioned(self, request: Request) -> Response:
        if (refused := await self._record(request)) is not None:
            return refused
        body = self.requests[-1].body
        if not isinstance(body, dict) or not body.get("version"):
            return _problem(422, "Input validation failed", "- (root): version is required")
        version = str(body["version"])
        ref_name, _, ref_version = version.rpartition(":")
        version_id = ref_version if ref_name else version
        model = next((m for m in self.models.values() if m.version == version_id), None)
        if model is None or (ref_name and ref_name != model.name):
            return _problem(
                422,
                "Invalid version or not permitted",
                "The specified version does not exist (or perhaps you don't have permission to use it?)",
            )
        return await self._create(request, model)

    async def _create(self, request: Request, model: FakeModel) -> Response:
        if (throttled := self._throttled(model.name)) is not None:
            return throttled
        body = self.requests[-1].body or {}
        data = body.get("input")
        if not isinstance(data, dict):
            return _problem(422, "Input validation failed", "- (root): input is required")
        if model.schema is not None and (problems := _validate(model.schema, data)):
            return _problem(422, "Input validation failed", "\n".join(f"- {p}" for p in problems))
        pred = FakePrediction(
            id=f"fake{next(self._ids):08d}", model=model.name, version=model.version, input=data, server=self
        )
        self.predictions[pred.id] = pred
        pred.task = asyncio.create_task(self._run(model, pred))
        wait = self._prefer_wait(request.headers.get("prefer", ""))
        if wait:
            with suppress(TimeoutError):
                await asyncio.wait_for(pred.done.wait(), wait)
        return JSONResponse(pred.to_json(self.base_url), status_code=201)

    @staticmethod
    def _prefer_wait(header: str) -> float:
        match = re.search(r"\bwait(?:=(\d+))?\b", header)
        if not match:
            return 0.0
        return float(min(60, max(1, int(match.group(1) or 60))))

    async def _run(self, model: FakeModel, pred: FakePrediction) -> None:
        started = 0.0
        try:
            await asyncio.sleep(model.start_delay_s)
            pred.status, pred.started_at = "processing", _now()
            started = time.monotonic()
            output = await model.handler(pred)
            pred.output, pred.status = output, "succeeded"
        except asyncio.CancelledError:
            pred.status = "canceled"
        except ModelFailure as exc:
            pred.status, pred.error = "failed", str(exc)
        except Exception as exc:
            pred.status, pred.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            pred.completed_at = _now()
            if started:
                pred.metrics.setdefault("predict_time", round(time.monotonic() - started, 6))
            pred.metrics.setdefault("total_time", pred.metrics.get("predict_time", 0.0))
            pred.done.set()

    async def _prediction(self, request: Request) -> FakePrediction | Response:
        """The prediction the path names, or the answer refusing the request (401, 404, ...)."""
        if (refused := await self._record(request)) is not None:
            return refused
        pred = self.predictions.get(request.path_params["id"])
        if pred is None:
            return _problem(404, "Not found", "The requested resource could not be found.")
        return pred

    async def _get(self, request: Request) -> Response:
        pred = await self._prediction(request)
        if isinstance(pred, Response):
            return pred
        return JSONResponse(pred.to_json(self.base_url))

    async def _cancel(self, request: Request) -> Response:
        pred = await self._prediction(request)
        if isinstance(pred, Response):
            return pred
        if pred.status not in TERMINAL and pred.task is not None:
            pred.task.cancel()
            await pred.done.wait()
        return JSONResponse(pred.to_json(self.base_url))

    async def _upload(self, request: Request) -> Response:
        if (refused := await self._record(request)) is not None:
            return refused
        form = await request.form()
        content = form.get("content")
        if content is None or isinstance(content, str):
            return _problem(422, "Invalid file", "content is required")
        data = await content.read()
        ctype = content.content_type or "application/octet-stream"
        url = self.add_file(data, content.filename or "file", ctype)
        return JSONResponse(self._file_json(url.rsplit("/", 1)[-1]), status_code=201)

    def _file_json(self, file_id: str) -> dict[str, Any]:
        f = self.files[file_id]
        expires = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
        return {
            "id": f.id,
            "name": f.name,
            "content_type": f.content_type,
            "size": len(f.data),
            "etag": hashlib.md5(f.data).hexdigest(),  # an etag, not security
            "checksums": {
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "md5": hashlib.md5(f.data).hexdigest(),
            },
            "metadata": {},
            "created_at": f.created_at,
            "expires_at": expires,
            "urls": {"get": f"{self.base_url}/v1/files/{f.id}"},
        }

    async def _file_info(self, request: Request) -> Response:
        if (refused := await self._record(request)) is not None:
            return refused
        if request.path_params["id"] not in self.files:
            return _problem(404, "Not found", "The requested resource could not be found.")
        return JSONResponse(self._file_json(request.path_params["id"]))

    async def _download(self, request: Request) -> Response:
        self.requests.append(RecordedRequest(request.method, request.url.path, dict(request.headers), None))
        f = self.files.get(request.path_params["id"])
        if f is None:
            return Response(status_code=404)
        return Response(f.data, media_type=f.content_type)


@contextmanager
def running_fake(token: str = DEFAULT_TOKEN) -> Iterator[FakeReplicate]:
    fake = FakeReplicate(token).start()
    try:
        yield fake
    finally:
        fake.stop()


def llm_replies(replies: Sequence[str], tokens_in: int = 120) -> Handler:
    """A language model that answers the n-th call with replies[n] (the last one repeats)."""
    count = itertools.count()

    async def handler(p: FakePrediction) -> list[str]:
        text = replies[min(next(count), len(replies) - 1)]
        chunks = token_chunks(text)
        p.metrics.update(input_token_count=tokens_in, output_token_count=len(chunks))
        return chunks

    return handler
