"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";

import { FinalVariants, FinalVersions, downloadFile, fileStem } from "@/components/composition/FinalVariants";
import { costLines } from "@/components/session/SessionSidebar";
import { Stepper } from "@/components/session/Stepper";
import { useSession } from "@/components/session/SessionProvider";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ActionProblem } from "@/components/ui/ProblemNotice";
import { call } from "@/lib/api";
import { absoluteUrl, useConfig } from "@/lib/config";
import { audioLabel, money, resolutionLabel } from "@/lib/format";
import { finalsOf, versionSettings } from "@/lib/loop";
import { screenPath, stepLabel } from "@/lib/screens";
import type { Session } from "@/lib/types";
import { useActionError } from "@/lib/useActionError";
import { useAutoplay } from "@/lib/useAutoplay";
import { ShareControls } from "@/app/s/ShareControls";

/** Screen 7: the finished ad, its facts, download / share, and what each stage cost. */
export function ResultScreen({ session }: { session: Session }) {
  const { api, costs } = useSession();
  const { apiUrl } = useConfig();
  const router = useRouter();
  const video = useRef<HTMLVideoElement>(null);
  const [busy, setBusy] = useState<"download" | "new" | null>(null);
  const [choosing, setChoosing] = useState(false);
  const { error, setError, attempt } = useActionError();
  const versions = finalsOf(session);
  const final = versions[0]?.videos[0] ?? session.final_video!;
  const url = absoluteUrl(apiUrl, final.url);

  useAutoplay(video, url);

  async function download() {
    await attempt(
      async () => {
        // The file is on the gateway (another origin): fetched, saved under the product's name.
        const latest = versions[0]?.videos[0];
        const name = (versions[0] && versionSettings(versions[0]).productName) ?? session.product_prompt;
        await downloadFile(absoluteUrl(apiUrl, latest?.download_url || final.url), `${fileStem(name)}.mp4`);
      },
      (running) => setBusy(running ? "download" : null),
    );
  }

  /** Another ad: the same product and images with a new scene, or a fresh start (prompt pre-filled). */
  async function another(mode: "same_images" | "fresh") {
    setBusy("new");
    try {
      const created = await call(
        api.POST("/api/sessions/{session_id}/duplicate", { params: { path: { session_id: session.id } }, body: { mode } }),
      );
      router.push(screenPath(created.session_id, mode === "same_images" ? "clips" : "images"));
    } catch (err) {
      setError(err);
      setBusy(null);
    }
  }

  const images = session.generated_images;
  const clips = session.generated_clips;
  const lines = costLines(costs);
  const composeCost = lines.find((l) => l.label === "Final composition")?.cost ?? 0;
  const parseCost = lines.find((l) => l.label === "Prompt analysis")?.cost ?? 0;

  return (
    <div className="mx-auto max-w-7xl px-4 pb-24 pt-6 sm:px-6">
      <Stepper session={session} current="result" />
      <header className="mt-8 text-center">
        <p className="step-label text-xs font-semibold uppercase tracking-wide text-brand-600">{stepLabel("result")}</p>
        <h1 className="text-3xl font-bold tracking-tight text-slate-900">Your Video is Ready! <span aria-hidden="true">🎉</span></h1>
        <p className="mt-2 text-slate-500">{session.product_prompt}</p>
      </header>
      <div className="mt-8 grid gap-8 lg:grid-cols-[minmax(0,1fr)_320px]">
        <main className="min-w-0">
          <div className="overflow-hidden rounded-2xl bg-slate-950 shadow-xl ring-1 ring-slate-900/10">
            <video
              ref={video}
              src={url}
              controls
              autoPlay
              playsInline
              className="final-video mx-auto max-h-[70vh] w-full"
              aria-label="Your finished video ad"
            />
          </div>
          <div className="mt-5 flex flex-wrap items-center gap-3">
            <Button size="lg" onClick={download} loading={busy === "download"}>
              <svg viewBox="0 0 20 20" className="h-5 w-5" fill="currentColor" aria-hidden="true">
                <path d="M10.75 2.75a.75.75 0 0 0-1.5 0v8.614L6.295 8.235a.75.75 0 1 0-1.09 1.03l4.25 4.5a.75.75 0 0 0 1.09 0l4.25-4.5a.75.75 0 0 0-1.09-1.03l-2.955 3.129V2.75Z" />
                <path d="M3.5 12.75a.75.75 0 0 0-1.5 0v2.5A2.75 2.75 0 0 0 4.75 18h10.5A2.75 2.75 0 0 0 18 15.25v-2.5a.75.75 0 0 0-1.5 0v2.5c0 .69-.56 1.25-1.25 1.25H4.75c-.69 0-1.25-.56-1.25-1.25v-2.5Z" />
              </svg>
              Download MP4
            </Button>
            {(["vtt", "srt"] as const).map((ext) => {
              const link = versions[0]?.videos[0]?.[`captions_${ext}_url`];
              if (!link) return null;
              const name = (versions[0] && versionSettings(versions[0]).productName) ?? session.product_prompt;
              return (
                <Button
                  key={ext}
                  size="lg"
                  variant="secondary"
                  onClick={() => void downloadFile(absoluteUrl(apiUrl, link), `${fileStem(name)}.${ext}`).catch(setError)}
                >
                  Captions (.{ext})
                </Button>
              );
            })}
            <Button size="lg" variant="secondary" onClick={() => router.push(screenPath(session.id, "finish"))}>
              Edit and render again
            </Button>
            <Button
              size="lg"
              variant="secondary"
              aria-expanded={choosing}
              onClick={() => setChoosing(!choosing)}
              loading={busy === "new"}
            >
              Generate Another Video
            </Button>
            <ShareControls api={api} sessionId={session.id} mediaUrl={final.url} />
          </div>
          {choosing && (
            <div className="another-choice mt-4 flex flex-wrap items-center gap-3 rounded-xl bg-slate-50 p-4 ring-1 ring-slate-200">
              <p className="w-full text-sm text-slate-600">Start the next ad from…</p>
              <Button variant="secondary" onClick={() => void another("same_images")} disabled={busy === "new"}>
                Same product and images, new scene
              </Button>
              <Button variant="secondary" onClick={() => void another("fresh")} disabled={busy === "new"}>
                A fresh start
              </Button>
            </div>
          )}
          <ActionProblem error={error} onDismiss={() => setError(null)} className="mt-4" />
          {versions.length > 1 && <FinalVersions versions={versions} />}
          {versions.length <= 1 && session.final_videos.length > 1 && (
            <FinalVariants finals={session.final_videos} baseName={`adreel-${(session.product_prompt ?? "ad").slice(0, 40).replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`} />
          )}
        </main>
        <div className="space-y-4">
          <Card className="video-info p-5">
            <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Video info</h2>
            <dl className="mt-3 space-y-2 text-sm">
              {[
                ["Duration", `${final.duration.toFixed(1)} seconds`],
                ["Resolution", resolutionLabel(final.resolution)],
                ["Frame rate", `${final.fps} fps`],
                ["File size", `${final.file_size_mb.toFixed(1)} MB`],
                ["Audio", audioLabel(final)],
                ["Total cost", money(session.total_cost)],
              ].map(([k, v]) => (
                <div key={k} className="flex justify-between gap-3">
                  <dt className="text-slate-500">{k}</dt>
                  <dd className="text-right font-medium tabular-nums text-slate-900">{v}</dd>
                </div>
              ))}
            </dl>
          </Card>
          <Card className="session-summary p-5">
            <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Session summary</h2>
            <dl className="mt-3 space-y-2 text-sm">
              {parseCost > 0 && (
                <div className="flex justify-between gap-3">
                  <dt className="text-slate-600">Prompt analysis</dt>
                  <dd className="tabular-nums text-slate-900">{money(parseCost)}</dd>
                </div>
              )}
              <div className="flex justify-between gap-3">
                <dt className="text-slate-600">Images generated: {images.length}</dt>
                <dd className="tabular-nums text-slate-900">{money(images.reduce((s, i) => s + i.cost, 0))}</dd>
              </div>
              <div className="flex justify-between gap-3">
                <dt className="text-slate-600">Clips generated: {clips.length}</dt>
                <dd className="tabular-nums text-slate-900">{money(clips.reduce((s, c) => s + c.cost, 0))}</dd>
              </div>
              <div className="flex justify-between gap-3">
                <dt className="text-slate-600">Final composition</dt>
                <dd className="tabular-nums text-slate-900">{money(composeCost)}</dd>
              </div>
              <div className="flex justify-between gap-3 border-t border-slate-100 pt-2 font-semibold">
                <dt className="text-slate-900">Total</dt>
                <dd className="tabular-nums text-slate-900">{money(session.total_cost)}</dd>
              </div>
            </dl>
          </Card>
        </div>
      </div>
    </div>
  );
}
