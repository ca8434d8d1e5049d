"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { absoluteUrl, useConfig } from "@/lib/config";
import { describeProblem } from "@/lib/errors";
import { resolutionLabel } from "@/lib/format";
import type { FinalVideo } from "@/lib/types";

/** Save a gateway file: it is another origin, where <a download> is ignored, so fetch it first. */
export async function downloadFile(url: string, filename: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download failed: ${response.status}`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Every final of the compose call (its variants), each playable and downloadable. */
export function FinalVariants({ finals, baseName }: { finals: FinalVideo[]; baseName: string }) {
  const { apiUrl } = useConfig();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function download(final: FinalVideo, id: string) {
    setBusy(id);
    setError(null);
    try {
      await downloadFile(absoluteUrl(apiUrl, final.url), `${baseName}-${id}.mp4`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="final-variants mt-10" aria-labelledby="variants-heading">
      <h2 id="variants-heading" className="text-lg font-semibold text-slate-900">
        All versions ({finals.length})
      </h2>
      {error !== null && (
        <div className="mt-3">
          <ProblemNotice problem={describeProblem(error)} onDismiss={() => setError(null)} />
        </div>
      )}
      <ul className="mt-4 grid gap-5 sm:grid-cols-2 xl:grid-cols-3">
        {finals.map((final, i) => {
          const id = final.variant_id ?? `${i + 1}`;
          const label = final.label || final.aspect_ratio;
          return (
            <li key={id} className="final-variant" data-variant-id={id}>
              <Card className="overflow-hidden">
                <div className="flex aspect-video items-center justify-center bg-slate-950">
                  <video src={absoluteUrl(apiUrl, final.url)} controls playsInline preload="metadata" className="max-h-full max-w-full" aria-label={`Version ${label}`} />
                </div>
                <div className="space-y-3 p-4">
                  <p className="text-sm font-semibold text-slate-900">{label}</p>
                  <p className="text-xs tabular-nums text-slate-500">
                    {resolutionLabel(final.resolution)} · {final.duration.toFixed(1)} s · {final.file_size_mb.toFixed(1)} MB · {final.has_audio ? "music" : "no music"}
                  </p>
                  {/* "Save", not "Download": the page's one "Download" button stays the main ad's. */}
                  <Button size="sm" variant="secondary" onClick={() => void download(final, id)} loading={busy === id} aria-label={`Download ${label}`}>
                    Save MP4
                  </Button>
                </div>
              </Card>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
