"""`adreel batch products.csv --budget 20`: many ads from a spreadsheet, one bar per row.

The CSV's first line names the columns (product, scene, name, cta, formats, music, brand_font,
brand_color, images, clips, clip_duration, video_model, voiceover, voice,
captions); only product and scene are required. Every row is
checked before anything is spent; rows the budget does not cover stop as `not run: budget`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from client.api import AdreelClient

POLL_S = 1.0


async def run_batch(
    client: AdreelClient,
    csv_path: Path,
    budget: float,
    console: Console,
    *,
    name: str | None = None,
    webhook_url: str | None = None,
    out: Path | None = None,
) -> int:
    """Exit code: 0 every valid row made its ad, 1 some row failed or did not run."""
    body: dict[str, Any] = {"csv": csv_path.read_text(encoding="utf-8-sig"), "budget_usd": budget}
    body["name"] = name or csv_path.stem[:100]
    if webhook_url:
        body["webhook_url"] = webhook_url
    batch = await client.call("POST", "/api/batches", body)
    if secret := batch.get("webhook_secret"):
        console.print(f"Webhook signing secret (shown once): {secret}")
    for row in batch["rows"]:
        for problem in row["problems"]:
            console.print(f"[yellow]row {row['row']}, {problem['column']}:[/] {problem['message']}")
        if row["status"] == "not_run":
            console.print(f"[yellow]row {row['row']} not run:[/] {row['reason']}")
    console.print(
        f"Batch {batch['id']}: {batch['counts'].get('queued', 0)} of {len(batch['rows'])} rows run, "
        f"${batch['reserved']:.2f} of ${batch['budget']:.2f} reserved"
    )
    columns = (TextColumn("{task.description:<58}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"))
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        bars: dict[int, TaskID] = {
            r["row"]: progress.add_task(f"row {r['row']}: {r['product'] or ''}"[:58], total=100)
            for r in batch["rows"]
            if r["status"] in ("queued", "running")
        }
        while batch["status"] == "running":
            await asyncio.sleep(POLL_S)
            batch = await client.call("GET", f"/api/batches/{batch['id']}")
            for r in batch["rows"]:
                if r["row"] in bars:
                    label = r["message"] or r["status"].replace("_", " ")
                    progress.update(
                        bars[r["row"]],
                        completed=r["progress"],
                        description=f"row {r['row']}: {label}"[:58],
                    )
    for r in batch["rows"]:
        if r["status"] == "complete":
            video = r["final_videos"][0]
            console.print(
                f"row {r['row']}: {video['duration']:.1f} s ad, ${r['cost']:.2f} (session {r['session_id']})"
            )
        elif r["status"] == "failed":
            console.print(f"[red]row {r['row']} failed:[/] {r['reason']}")
    console.print(f"Total ${batch['total_cost']:.2f}; {batch['counts']}")
    if batch["zip_url"]:
        dest = out or csv_path.with_name(f"{csv_path.stem}-finals.zip")
        await client.download(batch["zip_url"], dest)
        console.print(f"Saved every final to {dest}")
    ran = [r for r in batch["rows"] if r["status"] != "invalid"]
    return 0 if ran and all(r["status"] == "complete" for r in ran) else 1
