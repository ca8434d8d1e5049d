import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";

import { Logo } from "@/components/AppHeader";
import type { components } from "@/lib/api-schema";

type PublicShare = components["schemas"]["PublicShare"];

// Rendered per request: a revoked or expired share must stop showing at once.
export const dynamic = "force-dynamic";

/** The gateway as the server reaches it (the same setting the browser's media URLs use). */
function apiUrl(): string {
  return (process.env.ADREEL_API_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
}

/** The share, or null when it does not exist, was revoked or has expired (one fetch per request). */
const loadShare = cache(async (token: string): Promise<PublicShare | null> => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(token)) return null;
  const response = await fetch(`${apiUrl()}/api/shares/${token}`, { cache: "no-store" });
  if (response.status === 404 || response.status === 422) return null;
  if (!response.ok) throw new Error(`the share could not be loaded (${response.status})`);
  return (await response.json()) as PublicShare;
});

export async function generateMetadata({ params }: { params: { token: string } }): Promise<Metadata> {
  const share = await loadShare(params.token);
  if (!share) return { title: "Not found — Adreel", robots: { index: false } };
  const video = `${apiUrl()}${share.video_url}`;
  const description = `A video ad for ${share.product_name}, made with Adreel.`;
  return {
    title: `${share.product_name} — Adreel`,
    description,
    // Unlisted: whoever has the link can watch, search engines should not list it.
    robots: { index: false, follow: false },
    openGraph: {
      title: share.product_name,
      description,
      type: "video.other",
      videos: [{ url: video, type: "video/mp4", width: share.width, height: share.height }],
      images: share.poster_url ? [{ url: `${apiUrl()}${share.poster_url}` }] : undefined,
    },
    twitter: { card: share.poster_url ? "summary_large_image" : "summary", title: share.product_name, description },
  };
}

/** /s/<token>: one shared final video, for anyone with the link (no sign-in). */
export default async function SharePage({ params }: { params: { token: string } }) {
  const share = await loadShare(params.token);
  if (!share) notFound();
  const portrait = share.height > share.width;
  return (
    <div className="flex min-h-screen flex-col items-center bg-slate-50 px-4 py-8 text-slate-900 sm:px-6">
      <header className="mb-6 w-full max-w-4xl">
        <Logo />
      </header>
      <main className="w-full max-w-4xl">
        <div className="overflow-hidden rounded-2xl bg-black shadow-2xl ring-1 ring-slate-900/10">
          <video
            className={`share-video mx-auto w-full ${portrait ? "max-h-[80vh] w-auto" : ""}`}
            src={`${apiUrl()}${share.video_url}`}
            poster={share.poster_url ? `${apiUrl()}${share.poster_url}` : undefined}
            width={share.width || undefined}
            height={share.height || undefined}
            controls
            playsInline
            preload="metadata"
            aria-label={`Video ad for ${share.product_name}`}
          />
        </div>
        <h1 className="share-product mt-5 text-2xl font-bold tracking-tight">{share.product_name}</h1>
        <p className="mt-1 text-sm text-slate-500">
          {share.duration > 0 ? `${share.duration.toFixed(1)} s · ` : ""}
          {share.width}×{share.height}
        </p>
      </main>
    </div>
  );
}
