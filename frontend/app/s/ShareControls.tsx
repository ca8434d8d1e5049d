"use client";

import { useCallback, useEffect, useState } from "react";

import { Button } from "@/components/ui/Button";
import { ActionProblem } from "@/components/ui/ProblemNotice";
import { type Api, call } from "@/lib/api";
import type { components } from "@/lib/api-schema";
import { dateTime } from "@/lib/format";

type ShareInfo = components["schemas"]["ShareInfo"];
type ShareableFinal = components["schemas"]["ShareableFinal"];

/** Copy text; navigator.clipboard needs a secure context, so fall back to a selected textarea. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

/** The final the screen shows, found by its media key (its /media URL names the stored file). */
function shownFinal(finals: ShareableFinal[], mediaUrl: string): ShareableFinal | undefined {
  const path = decodeURIComponent(mediaUrl.split("?")[0]);
  return finals.find((f) => path.endsWith(`/media/${f.media_key}`)) ?? finals[0];
}

/**
 * "Share Link": a public page (/s/<token>) for the shown final only, copied to the clipboard; the
 * session's live links are listed with Revoke. The link never carries a sign-in or media token.
 * Renders inside the result screen's button row; the list takes a row of its own.
 */
export function ShareControls({ api, sessionId, mediaUrl }: { api: Api; sessionId: string; mediaUrl: string }) {
  const [shares, setShares] = useState<ShareInfo[]>([]);
  const [finals, setFinals] = useState<ShareableFinal[]>([]);
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState<"ok" | "failed" | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const path = { params: { path: { session_id: sessionId } } };

  const load = useCallback(async () => {
    const params = { params: { path: { session_id: sessionId } } };
    const [listed, shareable] = await Promise.all([
      call(api.GET("/api/sessions/{session_id}/shares", params)),
      call(api.GET("/api/sessions/{session_id}/shares/finals", params)),
    ]);
    setShares(listed);
    setFinals(shareable);
  }, [api, sessionId]);

  useEffect(() => {
    load().catch(setError);
  }, [load]);

  async function share() {
    setBusy(true);
    setError(null);
    try {
      const final = shownFinal(finals.length ? finals : await call(api.GET("/api/sessions/{session_id}/shares/finals", path)), mediaUrl);
      if (!final) throw new Error("This session has no final video to share yet.");
      const created = await call(api.POST("/api/sessions/{session_id}/shares", { ...path, body: { final_id: final.id } }));
      const url = `${window.location.origin}${created.share_url}`;
      setLink(url);
      try {
        await copyText(url);
        setCopied("ok");
      } catch {
        setCopied("failed");
      }
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: string) {
    setError(null);
    try {
      await call(api.DELETE("/api/sessions/{session_id}/shares/{share_id}", { params: { path: { session_id: sessionId, share_id: id } } }));
      await load();
    } catch (err) {
      setError(err);
    }
  }

  const labels = new Map(finals.map((f) => [f.id, f.label]));
  const live = shares.filter((s) => s.active);
  return (
    <>
      <Button size="lg" variant="ghost" onClick={share} loading={busy} className="share-link-button">
        {copied === "ok" ? "Link copied!" : "Share Link"}
      </Button>
      <span className="sr-only" role="status" aria-live="polite">
        {copied === "ok" ? "Link copied to the clipboard" : copied === "failed" ? "Copy failed" : ""}
      </span>
      {(link || live.length > 0 || error !== null) && (
        <div className="share-links w-full basis-full space-y-3">
          {link && (
            <div>
              <label htmlFor="share_url" className="text-sm font-medium text-slate-700">
                {copied === "failed" ? "Copy this link" : "Public link (anyone with it can watch this video)"}
              </label>
              <input id="share_url" readOnly value={link} onFocus={(e) => e.target.select()} className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 font-mono text-xs" />
            </div>
          )}
          {live.length > 0 && (
            <ul className="divide-y divide-slate-100 rounded-lg ring-1 ring-slate-200" aria-label="Share links">
              {live.map((s) => (
                <li key={s.id} className="share-item flex flex-wrap items-center gap-2 px-3 py-2 text-sm">
                  <span className="min-w-0 flex-1 text-slate-700">
                    {labels.get(s.final_id) ?? "Final video"} · shared {dateTime(s.created_at)}
                    {s.expires_at ? ` · expires ${dateTime(s.expires_at)}` : ""}
                  </span>
                  <Button size="sm" variant="danger" onClick={() => void revoke(s.id)}>
                    Revoke
                  </Button>
                </li>
              ))}
            </ul>
          )}
          <ActionProblem error={error} onDismiss={() => setError(null)} />
        </div>
      )}
    </>
  );
}
