"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ActionProblem } from "@/components/ui/ProblemNotice";
import { absoluteUrl, useConfig } from "@/lib/config";
import { audioLabel, dateTime, resolutionLabel } from "@/lib/format";
import { versionSettings } from "@/lib/loop";
import type { FinalVersion, FinalVideo } from "@/lib/types";
import { useActionError } from "@/lib/useActionError";

/** "AirRun Pro" -> "airrun-pro": a file name from the product's name. */
export function fileStem(name: string | null | undefined): string {
  const stem = (name ?? "").trim().slice(0, 60).replace(/[^a-z0-9]+/gi, "-").replace(/^-+|-+$/g, "").toLowerCase();
  return stem || "adreel-ad";
}

/** The file name the gateway chose (Content-Disposition), when the browser may read it. */
function dispositionName(response: Response): string | null {
  const header = response.headers.get("Content-Disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : null;
}

/** Save a gateway file: it is another origin, where <a download> is ignored, so fetch it first. */
export async function downloadFile(url: string, filename: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download failed: ${response.status}`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = dispositionName(response) ?? filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** A final among its render's: its id (its variant's, else its place from 1) and its name (its label, else its aspect ratio). */
function finalName(final: FinalVideo | FinalVersion["videos"][number], index: number): { id: string; label: string } {
  return { id: final.variant_id ?? `${index + 1}`, label: final.label || final.aspect_ratio };
}

/** Saving gateway files (at `apiUrl`) one at a time: the key of the one being fetched (`busy`) and the last failure. */
function useFileDownloads() {
  const { apiUrl } = useConfig();
  const [busy, setBusy] = useState<string | null>(null);
  const { error, setError, attempt } = useActionError();
  const download = (key: string, url: string, filename: string) =>
    attempt(() => downloadFile(absoluteUrl(apiUrl, url), filename), (running) => setBusy(running ? key : null));
  return { apiUrl, busy, error, setError, download };
}

/**
 * "All versions (n)": the section `final-<name>`, named by its heading, with the last download's
 * problem above its list; `children` makes the list with the section's downloads.
 */
function AllVersionsSection({
  name,
  count,
  children,
}: {
  name: "variants" | "versions";
  count: number;
  children: (downloads: Pick<ReturnType<typeof useFileDownloads>, "apiUrl" | "busy" | "download">) => React.ReactNode;
}) {
  const downloads = useFileDownloads();
  return (
    <section className={`final-${name} mt-10`} aria-labelledby={`${name}-heading`}>
      <h2 id={`${name}-heading`} className="text-lg font-semibold text-slate-900">
        All versions ({count})
      </h2>
      <ActionProblem error={downloads.error} onDismiss={() => downloads.setError(null)} className="mt-3" />
      {children(downloads)}
    </section>
  );
}

/** Every final of the compose call (its variants), each playable and downloadable. */
export function FinalVariants({ finals, baseName }: { finals: FinalVideo[]; baseName: string }) {
  return (
    <AllVersionsSection name="variants" count={finals.length}>
      {({ apiUrl, busy, download }) => (
        <ul className="mt-4 grid gap-5 sm:grid-cols-2 xl:grid-cols-3">
          {finals.map((final, i) => {
            const { id, label } = finalName(final, i);
            return (
              <li key={id} className="final-variant" data-variant-id={id}>
                <Card className="overflow-hidden">
                  <div className="flex aspect-video items-center justify-center bg-slate-950">
                    <video src={absoluteUrl(apiUrl, final.url)} controls playsInline preload="metadata" className="max-h-full max-w-full" aria-label={`Version ${label}`} />
                  </div>
                  <div className="space-y-3 p-4">
                    <p className="text-sm font-semibold text-slate-900">{label}</p>
                    <p className="text-xs tabular-nums text-slate-500">
                      {resolutionLabel(final.resolution)} · {final.duration.toFixed(1)} s · {final.file_size_mb.toFixed(1)} MB · {audioLabel(final).toLowerCase()}
                    </p>
                    {/* "Save", not "Download": the page's one "Download" button stays the main ad's. */}
                    <Button size="sm" variant="secondary" onClick={() => void download(id, final.url, `${baseName}-${id}.mp4`)} loading={busy === id} aria-label={`Download ${label}`}>
                      Save MP4
                    </Button>
                  </div>
                </Card>
              </li>
            );
          })}
        </ul>
      )}
    </AllVersionsSection>
  );
}

/** Every render of the session, newest first: the settings it used and each of its files. */
export function FinalVersions({ versions }: { versions: FinalVersion[] }) {
  return (
    <AllVersionsSection name="versions" count={versions.length}>
      {({ apiUrl, busy, download }) => (
        <ol className="mt-4 space-y-6">
          {versions.map((version, n) => {
            const number = versions.length - n;
            const used = versionSettings(version);
            const stem = fileStem(used.productName);
            const facts = [
              used.productName && `"${used.productName}"`,
              used.cta && `CTA "${used.cta}"`,
              used.font,
              used.color,
              used.music ? (used.music.enabled ? `${used.music.genre ?? "upbeat"} music` : "no music") : null,
            ].filter(Boolean);
            return (
              <li key={version.id} className="final-version" data-version-id={version.id}>
                <Card className="overflow-hidden">
                  <div className="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-100 px-4 py-3 sm:px-5">
                    <p className="font-semibold text-slate-900">
                      Version {number}
                      {n === 0 && <span className="ml-2 text-xs font-medium text-brand-600">latest</span>}
                    </p>
                    <p className="text-xs text-slate-500">{dateTime(version.created_at)}</p>
                    {facts.length > 0 && <p className="version-settings w-full break-words text-xs text-slate-600">{facts.join(" · ")}</p>}
                    {version.stale && (
                      <p className="w-full text-xs text-amber-700">Made before later changes to the images or clips.</p>
                    )}
                  </div>
                  <ul className="grid gap-4 p-4 sm:grid-cols-2 sm:p-5 xl:grid-cols-3">
                    {version.videos.map((video, i) => {
                      const { id, label } = finalName(video, i);
                      const key = `${version.id}-${id}`;
                      return (
                        <li key={key} className="final-version-video min-w-0">
                          <div className="flex aspect-video items-center justify-center overflow-hidden rounded-lg bg-slate-950">
                            <video src={absoluteUrl(apiUrl, video.url)} controls playsInline preload="metadata" className="max-h-full max-w-full" aria-label={`Version ${number}, ${label}`} />
                          </div>
                          <p className="mt-2 text-sm font-medium text-slate-900">{label}</p>
                          <p className="text-xs tabular-nums text-slate-500">
                            {resolutionLabel(video.resolution)} · {video.duration.toFixed(1)} s · {video.file_size_mb.toFixed(1)} MB
                          </p>
                          <Button
                            size="sm"
                            variant="secondary"
                            className="mt-2"
                            onClick={() => void download(key, video.download_url || video.url, `${stem}-${id}.mp4`)}
                            loading={busy === key}
                            aria-label={`Save version ${number} ${label}`}
                          >
                            Save MP4
                          </Button>
                        </li>
                      );
                    })}
                  </ul>
                </Card>
              </li>
            );
          })}
        </ol>
      )}
    </AllVersionsSection>
  );
}
