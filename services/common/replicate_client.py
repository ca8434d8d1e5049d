"""Running a Replicate model: what every agent's `providers/replicate.py` shares.

Built on the `replicate` package's async API (it honours REPLICATE_BASE_URL). One call to
`ReplicateRunner.run` creates the prediction (official model by name, or a pinned version),
polls it to a terminal state under a deadline, reports progress from the model's logs, cancels it
on Replicate when the caller is cancelled (session aborted) or the deadline passes, retries 429 and
5xx answers with tenacity (honouring Retry-After), copies output files into our ObjectStore (the
provider's URLs expire within the hour) and prices the prediction from services.common.costs.pricing.

The API token is held as a SecretStr and only ever sent to the API host; it is never logged, and
output files are fetched without it.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import mimetypes
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
import replicate
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from replicate.exceptions import ReplicateError
from replicate.prediction import Prediction
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from adreel.v1 import common_pb2
from services.common.config import AgentSettings
from services.common.costs.pricing import prediction_micros
from services.common.errors import ProviderRefused, ProviderUnavailable
from services.common.media import MediaInfo, probe_any, store_media
from services.common.storage import ObjectStore
from services.common.storage.factory import open_store
from services.common.telemetry import span

log = logging.getLogger(__name__)

T = TypeVar("T")
Reporter = Callable[[float, str], None]
TERMINAL = frozenset({"succeeded", "failed", "canceled", "aborted"})
# How safety filters phrase a refusal (Flux: "NSFW content detected", SDXL: "...flagged as sensitive").
_REFUSAL = re.compile(r"nsfw|safety|flagged|sensitive|content polic|moderation", re.IGNORECASE)
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/mpeg": "mp3",
}


class ReplicateSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADREEL_REPLICATE_", extra="ignore")

    # Deadline for one prediction, queueing included; the prediction is cancelled past it.
    timeout_s: float = 600.0
    poll_interval_s: float = 1.0
    # `Prefer: wait=N` on create: fast models answer in the create call itself. 0 = plain async.
    wait_s: int = 0
    # Tries of one HTTP call on 429 / 5xx / network errors.
    attempts: int = 4
    max_retry_after_s: float = 60.0
    max_download_mb: int = 300


@dataclass(frozen=True)
class ModelRef:
    """An official model by name (`owner/name`) or a community model pinned to a version id."""

    name: str
    version: str | None = None

    def __str__(self) -> str:
        return f"{self.name}:{self.version}" if self.version else self.name


@dataclass(frozen=True)
class OutputFiles:
    """Where a prediction's output files go: `<key_stem>.<ext>` (`-<n>` added when several).

    By default into the ObjectStore (the result's `assets`); with `directory`, into that folder
    instead (the result's `files`), for agents whose servicer stores what the provider made.
    """

    key_stem: str
    # Content-type prefixes accepted, e.g. ("image/",); anything else is refused.
    accept: tuple[str, ...]
    # Keep only the first `limit` files (models such as SDXL return lists).
    limit: int | None = None
    directory: Path | None = None


@dataclass(frozen=True)
class LocalFile:
    path: Path
    content_type: str
    info: MediaInfo


@dataclass
class PredictionResult:
    id: str
    model: ModelRef
    output: Any
    logs: str
    metrics: dict[str, Any]
    cost: common_pb2.Cost
    assets: list[common_pb2.AssetRef] = field(default_factory=list)
    files: list[LocalFile] = field(default_factory=list)

    @property
    def text(self) -> str:
        """A language model's output: Replicate returns it as a list of string chunks."""
        if isinstance(self.output, list):
            return "".join(str(x) for x in self.output)
        return "" if self.output is None else str(self.output)


class _Billed:
    """What a failed prediction still cost (GPU time is billed even when the model fails)."""

    cost: common_pb2.Cost
    prediction_id: str | None


class ReplicateUnavailable(ProviderUnavailable, _Billed):
    """An outage, a model error, a timeout or a cancellation: another try may work."""

    def __init__(self, message: str, cost: common_pb2.Cost, prediction_id: str | None = None) -> None:
        super().__init__(message)
        self.cost, self.prediction_id = cost, prediction_id


class ReplicateRefused(ProviderRefused, _Billed):
    """The model refused this input (safety filter, invalid input): retrying it will not help."""

    def __init__(self, message: str, cost: common_pb2.Cost, prediction_id: str | None = None) -> None:
        super().__init__(message)
        self.cost, self.prediction_id = cost, prediction_id


class RetryableHTTPError(Exception):
    """A 429 or 5xx answer from the API, with the server's Retry-After when it sent one."""

    def __init__(self, status: int, retry_after: float | None, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status, self.retry_after, self.detail = status, retry_after, detail


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def _raise_retryable(response: httpx.Response) -> None:
    # An httpx response hook: it sees the answer after replicate's own transport retries (GETs),
    # and turns throttling / server errors into one exception type tenacity can retry on.
    if response.status_code == 429 or response.status_code >= 500:
        await response.aread()
        try:
            detail = str(response.json().get("detail", ""))
        except ValueError:
            detail = response.text[:200]
        raise RetryableHTTPError(
            response.status_code, parse_retry_after(response.headers.get("Retry-After")), detail
        )


def _cost(
    model: ModelRef,
    metrics: dict[str, Any] | None,
    wall_s: float,
    outputs: int = 0,
    output_seconds: float = 0.0,
) -> common_pb2.Cost:
    """The provider's charge; None metrics means no prediction ran (an HTTP refusal): free."""
    seconds = float((metrics or {}).get("predict_time") or wall_s)
    micros = 0
    if metrics is not None:
        micros = prediction_micros(
            model.name, metrics=metrics, outputs=outputs, output_seconds=output_seconds
        )
    return common_pb2.Cost(
        usd_micros=micros,
        provider="replicate",
        model=model.name,
        seconds=round(seconds, 3),
    )


def file_urls(output: Any) -> list[str]:
    """Every string in a prediction output that names a file (URL or data URI), in order."""
    if isinstance(output, str):
        return [output] if "://" in output or output.startswith("data:") else []
    if isinstance(output, list | tuple):
        return [u for item in output for u in file_urls(item)]
    if isinstance(output, dict):
        return [u for item in output.values() for u in file_urls(item)]
    return []


def _extension(content_type: str) -> str:
    ext = _EXTENSIONS.get(content_type) or (mimetypes.guess_extension(content_type) or ".bin")
    return ext.lstrip(".")


class ReplicateRunner:
    def __init__(
        self,
        token: SecretStr | str,
        store: ObjectStore,
        settings: ReplicateSettings | None = None,
        *,
        base_url: str | None = None,
    ) -> None:
        self.settings = settings or ReplicateSettings()
        self.store = store
        secret = token if isinstance(token, SecretStr) else SecretStr(token)
        self._transport = httpx.AsyncHTTPTransport()
        # base_url None: the client reads REPLICATE_BASE_URL, else api.replicate.com.
        self.client = replicate.Client(
            api_token=secret.get_secret_value(),
            base_url=base_url,
            timeout=httpx.Timeout(30.0, connect=10.0),
            transport=self._transport,
            event_hooks={"response": [_raise_retryable]},
        )
        # Output files come from other hosts: a separate client that never carries the token.
        self._downloads = httpx.AsyncClient(
            timeout=httpx.Timeout(120.0, connect=10.0), follow_redirects=True, max_redirects=3
        )

    async def aclose(self) -> None:
        await self._downloads.aclose()
        await self._transport.aclose()

    async def check(self) -> None:
        """Raise unless the API answers and accepts the token (for an agent's warmup)."""
        await self._guard(ModelRef("replicate/account"), self.client.accounts.async_current, time.monotonic())

    # -- HTTP with retries -------------------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableHTTPError) and exc.retry_after is not None:
            return min(exc.retry_after, self.settings.max_retry_after_s)
        return wait_exponential_jitter(initial=0.5, max=10.0)(state)

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, self.settings.attempts)),
            wait=self._wait,
            retry=retry_if_exception_type((RetryableHTTPError, httpx.TransportError)),
            reraise=True,
            before_sleep=lambda s: log.warning(
                "replicate call failed, retrying",
                extra={"attempt": s.attempt_number, "error": str(s.outcome.exception() if s.outcome else "")},
            ),
        )
        async for attempt in retrying:
            with attempt:
                return await fn()
        raise AssertionError("unreachable")  # pragma: no cover

    async def upload(self, path: Path, content_type: str) -> str:
        """Upload an input file (POST /v1/files); returns the URL a model input takes."""

        async def _upload() -> str:
            with path.open("rb") as f:
                created = await self.client.files.async_create(
                    f, filename=path.name, content_type=content_type
                )
            return created.urls["get"]

        return await self._guard(ModelRef("replicate/files"), _upload, time.monotonic())

    # -- one prediction ----------------------------------------------------------------------
    async def run(
        self,
        model: ModelRef,
        inputs: dict[str, Any],
        *,
        outputs: OutputFiles | None = None,
        on_progress: Reporter | None = None,
        timeout_s: float | None = None,
    ) -> PredictionResult:
        """Run `model` to completion; with `outputs`, its files are stored before this returns.

        One `replicate.run` span per call (a child of the RPC's span): model, prediction, cost."""
        with span("replicate.run", **{"provider": "replicate", "model": str(model)}) as current:
            started = time.monotonic()
            pred = await self._guard(model, lambda: self._create(model, inputs), started)
            log.info("prediction created", extra={"model": str(model), "prediction": pred.id})
            deadline = timeout_s or self.settings.timeout_s
            pred = await self._until_done(model, pred, on_progress, started, deadline)
            result = await self._result(model, pred, outputs, time.monotonic() - started)
            cost = result.cost
            current.set_attributes(
                {"prediction": result.id, "usd_micros": cost.usd_micros, "seconds": cost.seconds}
            )
            return result

    async def _until_done(
        self, model: ModelRef, pred: Prediction, on_progress: Reporter | None, started: float, deadline: float
    ) -> Prediction:
        """`pred` polled to its end; past `deadline` seconds, or when the call is cancelled, the
        prediction is cancelled, so no GPU time is paid for after."""
        try:
            async with asyncio.timeout(deadline):
                return await self._poll(model, pred, on_progress, started)
        except TimeoutError:
            pred = await self._cancel(pred)
            raise ReplicateUnavailable(
                f"{model.name} did not finish within {deadline:g} s; prediction cancelled",
                _cost(model, pred.metrics or {}, time.monotonic() - started),
                pred.id,
            ) from None
        except asyncio.CancelledError:
            # The session was aborted: stop paying for GPU time, then let the cancellation through.
            await asyncio.shield(self._cancel(pred))
            raise

    async def _result(
        self, model: ModelRef, pred: Prediction, outputs: OutputFiles | None, wall: float
    ) -> PredictionResult:
        """A finished prediction: its failure raised, or its files stored and its cost counted."""
        if pred.status != "succeeded":
            self._raise_for(model, pred, wall)
        assets: list[common_pb2.AssetRef] = []
        files: list[LocalFile] = []
        if outputs and outputs.directory is not None:
            files = await self._save_outputs(model, pred, outputs, outputs.directory, wall)
        elif outputs:
            assets = await self._store_outputs(model, pred, outputs, wall)
        count = len(assets) + len(files)
        output_seconds = sum(a.duration_s for a in assets) + sum(f.info.duration_s for f in files)
        cost = _cost(model, pred.metrics or {}, wall, outputs=count, output_seconds=output_seconds)
        log.info(
            "prediction succeeded",
            extra={"model": str(model), "prediction": pred.id, "usd_micros": cost.usd_micros},
        )
        return PredictionResult(
            pred.id, model, pred.output, pred.logs or "", pred.metrics or {}, cost, assets, files
        )

    async def _create(self, model: ModelRef, inputs: dict[str, Any]) -> Prediction:
        params: dict[str, Any] = {"wait": self.settings.wait_s} if self.settings.wait_s > 0 else {}
        if model.version:
            return await self.client.predictions.async_create(version=model.version, input=inputs, **params)
        return await self.client.models.predictions.async_create(model=model.name, input=inputs, **params)

    async def _guard(self, model: ModelRef, fn: Callable[[], Awaitable[T]], started: float) -> T:
        """One API call with retries; what is left of an HTTP error becomes an AgentError."""
        try:
            return await self._call(fn)
        except RetryableHTTPError as exc:
            what = "is rate limiting us" if exc.status == 429 else f"answered HTTP {exc.status}"
            raise ReplicateUnavailable(
                f"replicate {what} for {model.name} after {self.settings.attempts} tries: {exc.detail}",
                _cost(model, None, time.monotonic() - started),
            ) from None
        except httpx.TransportError as exc:
            raise ReplicateUnavailable(
                f"replicate is unreachable ({type(exc).__name__})",
                _cost(model, None, time.monotonic() - started),
            ) from None
        except ReplicateError as exc:
            cost = _cost(model, None, time.monotonic() - started)
            detail = (exc.detail or exc.title or "").strip()
            if exc.status == 422:
                raise ReplicateRefused(f"{model.name} rejected the input: {detail}", cost) from None
            if exc.status in (401, 403):
                raise ReplicateUnavailable(
                    "replicate refused the API token (REPLICATE_API_TOKEN)", cost
                ) from None
            raise ReplicateUnavailable(
                f"replicate answered HTTP {exc.status} for {model.name}: {detail}", cost
            ) from None

    async def _poll(
        self, model: ModelRef, pred: Prediction, on_progress: Reporter | None, started: float
    ) -> Prediction:
        last: tuple[float, str] | None = None
        fraction = 0.0
        while True:
            progress = pred.progress
            if progress is not None:
                fraction = progress.percentage
            elif pred.status == "succeeded":
                fraction = 1.0
            lines = [ln for ln in (pred.logs or "").splitlines() if ln.strip()]
            message = lines[-1].strip()[:200] if lines else pred.status
            if on_progress and (fraction, message) != last:
                on_progress(fraction, message)
                last = (fraction, message)
            if pred.status in TERMINAL:
                return pred
            await asyncio.sleep(self.settings.poll_interval_s)
            pred = await self._guard(model, partial(self.client.predictions.async_get, pred.id), started)

    async def _cancel(self, pred: Prediction) -> Prediction:
        if pred.status in TERMINAL:
            return pred
        try:
            async with asyncio.timeout(10):
                canceled = await self._call(partial(self.client.predictions.async_cancel, pred.id))
            log.info("prediction cancelled", extra={"prediction": pred.id})
            return canceled
        except Exception as exc:  # best effort: the deadline on Replicate's side still applies
            log.warning("could not cancel prediction", extra={"prediction": pred.id, "error": str(exc)})
            return pred

    def _raise_for(self, model: ModelRef, pred: Prediction, wall: float) -> None:
        cost = _cost(model, pred.metrics or {}, wall)
        if pred.status == "failed":
            error = (pred.error or "unknown error").strip()[:500]
            if _REFUSAL.search(error):
                raise ReplicateRefused(f"{model.name} refused: {error}", cost, pred.id)
            raise ReplicateUnavailable(f"{model.name} failed: {error}", cost, pred.id)
        raise ReplicateUnavailable(f"{model.name} prediction was {pred.status}", cost, pred.id)

    # -- output files ------------------------------------------------------------------------
    def _checked_urls(self, model: ModelRef, pred: Prediction, spec: OutputFiles, wall: float) -> list[str]:
        urls = file_urls(pred.output)[: spec.limit]
        if not urls:
            raise self._output_error(model, pred, wall, 0, "the prediction returned no file")
        for n, url in enumerate(urls):
            if not url.startswith(("https://", "http://")):
                raise self._output_error(model, pred, wall, len(urls), f"refusing output {n}: only http(s)")
        return urls

    @staticmethod
    def _output_error(
        model: ModelRef, pred: Prediction, wall: float, billed: int, message: str
    ) -> ReplicateUnavailable:
        # The provider billed its outputs even though we could not keep them.
        cost = _cost(model, pred.metrics or {}, wall, outputs=billed)
        return ReplicateUnavailable(f"{model.name}: {message}", cost, pred.id)

    async def _store_outputs(
        self, model: ModelRef, pred: Prediction, spec: OutputFiles, wall: float
    ) -> list[common_pb2.AssetRef]:
        urls = self._checked_urls(model, pred, spec, wall)
        with tempfile.TemporaryDirectory(prefix="adreel-replicate-") as tmp:
            files = await self._save_outputs(model, pred, spec, Path(tmp), wall)
            assets = []
            for n, f in enumerate(files):
                suffix = f"-{n}" if len(urls) > 1 else ""
                key = f"{spec.key_stem}{suffix}.{_extension(f.content_type)}"
                assets.append(await store_media(self.store, key, f.path, f.content_type))
        return assets

    async def _save_outputs(
        self, model: ModelRef, pred: Prediction, spec: OutputFiles, directory: Path, wall: float
    ) -> list[LocalFile]:
        """Download every output file into `directory`, each checked for type, size and content."""
        urls = self._checked_urls(model, pred, spec, wall)
        stem = Path(spec.key_stem).name or "output"
        files = []
        for n, url in enumerate(urls):

            def fail(message: str, billed: int = len(urls)) -> ReplicateUnavailable:
                return self._output_error(model, pred, wall, billed, message)

            part = directory / f".{stem}-{n}.part"
            _, ctype = await self._download(url, part, spec, fail)
            suffix = f"-{n}" if len(urls) > 1 else ""
            path = directory / f"{stem}{suffix}.{_extension(ctype)}"
            part.replace(path)
            try:
                info = await asyncio.to_thread(probe_any, path, ctype)
            except Exception as exc:
                path.unlink(missing_ok=True)
                raise fail(f"output {n} is not a readable {ctype} ({type(exc).__name__})") from None
            files.append(LocalFile(path, ctype, info))
        return files

    async def _download(
        self, url: str, dest: Path, spec: OutputFiles, fail: Callable[[str], Exception]
    ) -> tuple[Path, str]:
        limit = self.settings.max_download_mb * 1024 * 1024
        try:
            async with self._downloads.stream("GET", url) as resp:
                if resp.status_code != 200:
                    raise fail(f"output file answered HTTP {resp.status_code}")
                ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype in ("", "application/octet-stream", "binary/octet-stream"):
                    ctype = (mimetypes.guess_type(httpx.URL(url).path)[0] or ctype).lower()
                if not ctype.startswith(spec.accept):
                    raise fail(f"output file is {ctype or 'untyped'}, expected {' or '.join(spec.accept)}*")
                if int(resp.headers.get("content-length") or 0) > limit:
                    raise fail(f"output file is larger than {self.settings.max_download_mb} MB")
                size = 0
                with dest.open("wb") as f:
                    async for chunk in resp.aiter_bytes(1 << 20):
                        size += len(chunk)
                        if size > limit:
                            raise fail(f"output file is larger than {self.settings.max_download_mb} MB")
                        f.write(chunk)
        except httpx.HTTPError as exc:
            raise fail(f"could not fetch the output file ({type(exc).__name__})") from None
        return dest, ctype


def runner_for(settings: AgentSettings) -> ReplicateRunner:
    """The runner an agent's Replicate provider uses: the agent's token and its object storage."""
    if settings.replicate_api_token is None:
        raise ProviderUnavailable("the replicate engine needs REPLICATE_API_TOKEN")
    return ReplicateRunner(settings.replicate_api_token, open_store(settings), ReplicateSettings())
