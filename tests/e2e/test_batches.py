"""Batches with the four real agents offline: rows checked before anything is spent, one session per
row with automatic picks, the budget settled from the quotes, signed per-ad and per-batch webhooks,
a ZIP of the finals, and a gateway restart in the middle that runs no row twice."""

from __future__ import annotations

import asyncio
import io
import os
import sys
import zipfile
from asyncio.subprocess import PIPE, STDOUT
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.core.config import Settings, to_asyncpg_url
from gateway.db.models import Asset, GenerationCost, Session
from services.common.media import probe
from tests.gateway_support import gateway_client, gateway_database, running_gateway
from tests.programs_support import FAST_ROW, bearer, program_settings, start_agent_addrs, wait_batch
from tests.webhook_receiver import running_receiver

__all__ = ["gateway_database"]

SCENE = "a runner on an outdoor track at golden hour"


def row(product: str, **extra: Any) -> dict[str, Any]:
    return {"product": product, "scene": SCENE, **FAST_ROW, **extra}


@pytest.fixture
async def agents() -> Any:
    async with AsyncExitStack() as exits:
        yield await start_agent_addrs(exits)


@pytest.fixture
def settings(gateway_database: str, storage_dir: Path, tmp_path: Path, agents: dict[str, str]) -> Settings:
    return program_settings(gateway_database, storage_dir, tmp_path / "state", agents)


async def test_five_rows_one_bad_four_finals_and_webhooks(settings: Settings, tmp_path: Path) -> None:
    async with running_receiver() as receiver, gateway_client(settings, timeout_s=60) as client:
        h = await bearer(client)
        rows = [
            row("pink tennis shoes", name="AirRun", cta="Shop Now", music="upbeat"),
            row("steel water bottle", formats=["16:9", "1:1"], music="none"),
            row("wool beanie", cta="x" * 40),  # the bad row: a CTA longer than 30 characters
            row("leather wallet", brand_kit={"font": "Inter", "color": "#FFD700"}, video_model="kling-2.1"),
            row("ceramic mug", music="chill", voiceover="auto", captions="highlight"),
        ]
        body = {"rows": rows, "budget_usd": 50, "name": "spring drop", "webhook_url": receiver.url}
        r = await client.post("/api/batches", headers=h, json=body)
        assert r.status_code == 201, r.text
        created = r.json()
        secret = created["webhook_secret"]
        assert secret.startswith("whsec_")
        statuses = [x["status"] for x in created["rows"]]
        assert statuses == ["queued", "queued", "invalid", "queued", "queued"]
        bad = created["rows"][2]
        assert [p["column"] for p in bad["problems"]] == ["cta"] and "30" in bad["problems"][0]["message"]
        # Nothing was spent on the bad row, and its quote is not reserved.
        assert bad["session_id"] is None and bad["quote"] == 0
        assert created["reserved"] == pytest.approx(sum(x["quote"] for x in created["rows"]))

        # Progress while it runs: rows move through the stages, never back.
        seen: dict[int, list[int]] = {}
        async with asyncio.timeout(300):
            while True:
                view = (await client.get(f"/api/batches/{created['id']}", headers=h)).json()
                for x in view["rows"]:
                    seen.setdefault(x["row"], []).append(x["progress"])
                if view["status"] != "running":
                    break
                await asyncio.sleep(0.2)
        assert view["status"] == "complete", view
        assert view["counts"] == {"complete": 4, "invalid": 1}
        for progress in seen.values():
            assert progress == sorted(progress)
        assert any(0 < p < 100 for p in seen[1])

        done = [x for x in view["rows"] if x["status"] == "complete"]
        assert len(done) == 4 and len({x["session_id"] for x in done}) == 4
        assert [len(x["final_videos"]) for x in done] == [1, 2, 1, 1]
        for x in done:
            assert 0 < x["cost"] <= x["quote"]
        assert view["total_cost"] == pytest.approx(sum(x["cost"] for x in done), abs=1e-6)
        assert view["total_cost"] <= view["reserved"] <= view["budget"]
        wallet = (await client.get(f"/api/sessions/{done[2]['session_id']}", headers=h)).json()
        assert wallet["video_model"] == "kling-2.1", "the row's video model made its clips"

        # A real MP4 with the row's settings: 2 clips of 2 s between the cards, music as asked.
        first = done[0]["final_videos"][0]
        mp4 = tmp_path / "row1.mp4"
        mp4.write_bytes((await client.get(first["url"])).content)
        info = probe(mp4)
        assert (info.width, info.height) == (1920, 1080) and info.has_audio
        assert 5.0 <= info.duration_s <= 7.5
        silent = done[1]["final_videos"][0]
        assert not silent["has_audio"] and {v["aspect_ratio"] for v in done[1]["final_videos"]} == {
            "16:9",
            "1:1",
        }

        # Row 5 speaks a script the prompt parser wrote to fit, with highlighted captions.
        spoken = (await client.get(f"/api/sessions/{done[3]['session_id']}", headers=h)).json()
        used = spoken["finals"][0]["settings"]
        assert used["voiceover"]["enabled"] and used["voiceover"]["script"].strip()
        assert used["captions"] == "highlight"

        # The session of a row is an ordinary session of the user, titled after its row.
        session = (await client.get(f"/api/sessions/{done[0]['session_id']}", headers=h)).json()
        assert session["stage"] == "complete" and len(session["approved_images"]) == 2
        assert session["title"].startswith("AirRun")

        # Webhooks: one signed event per ad, then one for the batch.
        await receiver.wait_for(5)
        events = receiver.events(secret)
        kinds = sorted(e["type"] for e in events)
        assert kinds == ["ad.completed"] * 4 + ["batch.completed"]
        ads = {e["data"]["row"]: e["data"] for e in events if e["type"] == "ad.completed"}
        assert set(ads) == {1, 2, 4, 5}
        assert ads[2]["final_videos"][1]["aspect_ratio"] == "1:1"
        summary = next(e["data"] for e in events if e["type"] == "batch.completed")
        assert summary["counts"] == {"complete": 4, "invalid": 1}
        assert summary["batch_id"] == created["id"]

        # Every final in one ZIP, named by row and product.
        zipped = await client.get(view["zip_url"])
        assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
        assert len(names) == 5 and names[0].startswith("001-airrun")
        for name in names:
            assert zipfile.ZipFile(io.BytesIO(zipped.content)).read(name)[4:8] == b"ftyp"
        # The link is the batch's only: another batch id, or no token, opens nothing.
        other = view["zip_url"].replace(created["id"], "00000000-0000-0000-0000-000000000000")
        assert (await client.get(other)).status_code == 401
        assert (await client.get(f"/api/batches/{created['id']}/finals.zip")).status_code == 422

        listed = (await client.get("/api/batches", headers=h)).json()
        assert listed[0]["id"] == created["id"] and listed[0]["rows"] == 5
        # Someone else's batch is a 404.
        other_user = await bearer(client)
        assert (await client.get(f"/api/batches/{created['id']}", headers=other_user)).status_code == 404


async def test_budget_covers_two_rows(settings: Settings) -> None:
    async with gateway_client(settings, timeout_s=60) as client:
        h = await bearer(client)
        one = (await client.post("/api/quote", headers=h, json=row("pink tennis shoes"))).json()
        assert one["images"] == 4 and one["clips"] == 2 and one["total_usd"] > 0
        # Not even one row: refused before anything exists.
        r = await client.post(
            "/api/batches", headers=h, json={"rows": [row("a mug")], "budget_usd": one["total_usd"] / 2}
        )
        assert r.status_code == 402 and r.json()["detail"].startswith("budget_usd:")

        rows = [row(p) for p in ("pink tennis shoes", "steel water bottle", "wool beanie", "ceramic mug")]
        budget = round(one["total_usd"] * 2.5, 6)
        created = (
            await client.post("/api/batches", headers=h, json={"rows": rows, "budget_usd": budget})
        ).json()
        assert [x["status"] for x in created["rows"]] == ["queued", "queued", "not_run", "not_run"]
        assert created["rows"][2]["reason"].startswith("budget: this row's quote is")
        assert created["reserved"] == pytest.approx(2 * one["total_usd"])

        view = await wait_batch(client, h, created["id"])
        assert view["counts"] == {"complete": 2, "not_run": 2}
        assert [x["session_id"] is None for x in view["rows"]] == [False, False, True, True]
        assert view["total_cost"] <= view["reserved"] <= budget

        # Each run row's session could never spend more than its row's quote.
        for x in view["rows"][:2]:
            session = (await client.get(f"/api/sessions/{x['session_id']}", headers=h)).json()
            assert session["budget"] == pytest.approx(one["total_usd"])


async def test_bad_input_names_the_field(settings: Settings) -> None:
    async with gateway_client(settings, timeout_s=60) as client:
        h = await bearer(client)
        cases: list[tuple[dict[str, Any], int, str]] = [
            ({"budget_usd": 5}, 422, "rows: give either rows or csv"),
            ({"csv": "product,scen\nx,y", "budget_usd": 5}, 422, "csv: unknown column 'scen'"),
            ({"rows": [row("a mug")], "budget_usd": -1}, 422, "budget_usd"),
            ({"rows": [row("a mug")], "budget_usd": 5, "webhook_url": "ftp://x.example"}, 422, "webhook_url"),
            ({"rows": [row("a mug", brand_kit={"font": "Comic Nope"})], "budget_usd": 9}, 422, "brand_font"),
            ({"rows": [{"product": "x"}], "budget_usd": 5}, 422, "scene"),
        ]
        for body, code, field in cases:
            r = await client.post("/api/batches", headers=h, json=body)
            assert r.status_code == code, (body, r.text)
            assert field in r.text, (field, r.text)
        # Every row bad: the problems come back by row and column, in FastAPI's shape.
        r = await client.post(
            "/api/batches",
            headers=h,
            json={"rows": [{"product": "x", "scene": SCENE}, row("mug", music="jazz")], "budget_usd": 9},
        )
        assert r.status_code == 422
        assert [d["loc"][2:] for d in r.json()["detail"]] == [[1, "product"], [2, "music"]]
        assert (await client.get("/api/batches", headers=h)).json() == []


async def test_a_gateway_restart_mid_batch_runs_no_row_twice(
    settings: Settings, gateway_database: str
) -> None:
    rows = [row("pink tennis shoes"), row("steel water bottle")]
    async with gateway_client(settings, timeout_s=60) as client:
        h = await bearer(client)
        created = (await client.post("/api/batches", headers=h, json={"rows": rows, "budget_usd": 20})).json()
        # Stop the gateway while the rows are generating.
        async with asyncio.timeout(120):
            while True:
                view = (await client.get(f"/api/batches/{created['id']}", headers=h)).json()
                if any(x["stage"] in ("clip_generation", "clip_selection") for x in view["rows"]):
                    break
                await asyncio.sleep(0.1)
        before = {x["row"]: x["session_id"] for x in view["rows"]}
    # A new gateway on the same database picks the batch up and finishes it.
    async with gateway_client(settings, timeout_s=60) as client:
        view = await wait_batch(client, h, created["id"])
        assert view["counts"] == {"complete": 2}, view
        for x in view["rows"]:  # a row that had a session kept it
            assert before[x["row"]] in (None, x["session_id"])
    engine = create_async_engine(to_asyncpg_url(gateway_database))
    try:
        async with engine.connect() as db:
            ids = [x["session_id"] for x in view["rows"]]
            user_id = (await db.execute(select(Session.user_id).where(Session.id == ids[0]))).scalar_one()
            sessions = (await db.execute(select(func.count()).where(Session.user_id == user_id))).scalar_one()
            assert sessions == 2  # one session per row, whatever the restart did
            for sid in ids:
                images = (
                    await db.execute(
                        select(func.count()).where(Asset.session_id == sid, Asset.asset_type == "image")
                    )
                ).scalar_one()
                assert images == 4  # nothing made twice
                # Every item was paid for once.
                paid = await db.execute(
                    select(GenerationCost.item_id, func.count())
                    .where(GenerationCost.session_id == sid, GenerationCost.item_id.is_not(None))
                    .group_by(GenerationCost.item_id)
                )
                assert all(n == 1 for _, n in paid.all())
    finally:
        await engine.dispose()


async def test_cli_batch_with_a_saved_key(settings: Settings, tmp_path: Path) -> None:
    """`adreel login --key` then `adreel batch products.csv --budget`: progress, the bad row's column,
    the ZIP of the finals."""
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "product,scene,name,cta,images,clips,clip_duration,music\n"
        f"pink tennis shoes,{SCENE},AirRun,Shop Now,4,2,2,chill\n"
        f"wool beanie,{SCENE},Beanie,{'x' * 40},4,2,2,none\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "ADREEL_API_KEY": ""}

    async def adreel(*args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "client", *args, env=env, stdout=PIPE, stderr=STDOUT
        )
        out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode()

    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=60) as client:
        h = await bearer(client)
        key = (
            await client.post("/api/api-keys", headers=h, json={"name": "cli", "scope": "generate"})
        ).json()
        code, out = await adreel("login", "--key", "adr_" + "x" * 43, "--url", base)
        assert code == 1 and "revoked" in out
        code, out = await adreel("login", "--key", key["key"], "--url", base)
        assert code == 0, out
        code, out = await adreel("batch", str(csv_file), "--budget", "20", "--out", str(tmp_path / "ads.zip"))
        assert code == 0, out
        assert "row 2, cta:" in out and "Saved every final to" in out and key["key"] not in out
        names = zipfile.ZipFile(tmp_path / "ads.zip").namelist()
        assert len(names) == 1 and names[0].startswith("001-airrun")
        listed = (await client.get("/api/batches", headers=h)).json()
        assert listed[0]["name"] == "products" and listed[0]["counts"] == {"complete": 1, "invalid": 1}
