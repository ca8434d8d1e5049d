"""Measuring rendered clips: a textured test still, frames as luma arrays, the shift between two
frames (phase correlation refined sub-pixel), a centre zoom, mean absolute difference, the easing
curve the camera moves follow, and what is wrong with a pan's frame-to-frame motion; the RGB frame
shown at a time, an output's audio samples and the share of pixels near a colour."""

from __future__ import annotations

import math
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw


def textured_image(path: Path, size: tuple[int, int] = (1200, 900), seed: int = 3) -> None:
    """A 4:3 still with soft colour fields, fine texture and distinct shapes (features to track)."""
    rng = np.random.default_rng(seed)
    w, h = size
    coarse = Image.fromarray((rng.random((9, 12, 3)) * 255).astype(np.uint8)).resize(size, Image.BICUBIC)
    fine = Image.fromarray((rng.random((h // 8, w // 8)) * 255).astype(np.uint8)).resize(size, Image.BICUBIC)
    im = Image.blend(coarse, Image.merge("RGB", [fine] * 3), 0.35)
    draw = ImageDraw.Draw(im)
    for _ in range(60):
        x, y, r = rng.integers(0, w), rng.integers(0, h), rng.integers(8, 50)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - r, y - r, x + r, y + r), fill=colour, outline=(0, 0, 0), width=2)
    im.save(path)


def gray_frames(path: Path, crop: tuple[slice, slice] = (slice(None), slice(None))) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.stack([f.to_ndarray(format="gray")[crop].astype(np.float64) for f in c.decode(video=0)])


def frame_count(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def fourier_shift(a: np.ndarray, dy: float, dx: float) -> np.ndarray:
    ky, kx = np.fft.fftfreq(a.shape[0])[:, None], np.fft.fftfreq(a.shape[1])[None, :]
    return np.real(np.fft.ifft2(np.fft.fft2(a) * np.exp(-2j * np.pi * (ky * dy + kx * dx))))


def shift(a: np.ndarray, b: np.ndarray, margin: int = 16) -> tuple[float, float]:
    """(dy, dx) by which the picture moved from `a` to `b`: the phase-correlation peak (FFT), then
    Lucas-Kanade steps for the sub-pixel part (a parabola through the peak is biased to integers)."""
    h, w = a.shape
    window = np.outer(np.hanning(h), np.hanning(w))
    cross = np.fft.rfft2((b - b.mean()) * window) * np.conj(np.fft.rfft2((a - a.mean()) * window))
    corr = np.fft.irfft2(cross / (np.abs(cross) + 1e-9), s=a.shape)
    py, px = np.unravel_index(np.argmax(corr), corr.shape)
    iy, ix = (py + h // 2) % h - h // 2, (px + w // 2) % w - w // 2
    inner = (slice(margin + abs(iy), h - margin - abs(iy)), slice(margin + abs(ix), w - margin - abs(ix)))
    dy, dx = float(iy), float(ix)
    for _ in range(3):
        moved = fourier_shift(a, dy, dx)
        gy, gx = (g[inner] for g in np.gradient(moved))
        err = (b - moved)[inner]
        normal = np.array([[np.sum(gx * gx), np.sum(gx * gy)], [np.sum(gx * gy), np.sum(gy * gy)]])
        ddx, ddy = np.linalg.solve(normal, -np.array([np.sum(gx * err), np.sum(gy * err)]))
        dx, dy = dx + ddx, dy + ddy
    return dy, dx


def centre_zoom(frame: np.ndarray, zoom: float, off: tuple[float, float] = (0, 0)) -> np.ndarray:
    """The centre 1/zoom of `frame` (moved by `off` pixels), scaled back to full size: what a
    zoom-in should end on."""
    h, w = frame.shape
    cw, ch = w / zoom, h / zoom
    x, y = (w - cw) / 2 + off[0], (h - ch) / 2 + off[1]
    box = (x, y, x + cw, y + ch)
    im = Image.fromarray(frame.astype(np.float32), "F").resize((w, h), Image.BICUBIC, box=box)
    return np.asarray(im, dtype=np.float64)


def mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a - b)))


def ease(p: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * p)


def eased_smooth_errors(frames: np.ndarray) -> list[str]:
    """What is wrong with the frame-to-frame motion of a pan (empty when it is right): steps must
    follow ease-in-out with sub-pixel precision, small at both ends, largest mid-clip, and never
    the whole-pixel stutter (1,2,1,2...) of zoompan on a still that was not upscaled."""
    steps = np.array([shift(frames[k], frames[k + 1])[1] for k in range(len(frames) - 1)])
    n, total, peak = len(steps), steps.sum(), np.abs(steps).max()
    ideal = np.array([total * (ease((k + 1) / n) - ease(k / n)) for k in range(n)])
    problems = []
    if not (np.all(steps <= 0.05) or np.all(steps >= -0.05)):
        problems.append("changes direction")
    if max(np.abs(steps[:3]).max(), np.abs(steps[-3:]).max()) > 0.25 * peak:
        problems.append("not eased at the ends")
    if np.abs(steps[n // 2 - 3 : n // 2 + 3]).min() < 0.9 * peak:
        problems.append("not fastest mid-clip")
    if (jitter := np.abs(steps - ideal).max()) > 0.2:
        problems.append(f"jitters {jitter:.2f} px off the eased path")
    return problems


def frame_at(path: Path, t: float) -> np.ndarray:
    """The RGB frame shown at time t."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        for frame in c.decode(s):
            if float(frame.pts * s.time_base) >= t - 1e-3:
                return frame.to_ndarray(format="rgb24")
    raise AssertionError(f"no frame at {t}")


def audio_samples(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        chunks = [f.to_ndarray() for f in c.decode(c.streams.audio[0])]
    return np.concatenate(chunks, axis=1)


def color_share(region: np.ndarray, rgb: tuple[int, int, int], tol: int = 40) -> float:
    """Fraction of pixels within `tol` of the colour on every channel."""
    close = np.all(np.abs(region.astype(int) - np.array(rgb)) <= tol, axis=-1)
    return float(close.mean())
