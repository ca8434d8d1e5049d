"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";

import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { inputClass } from "@/components/ui/Field";
import { PageProblem } from "@/components/ui/ProblemNotice";
import { LoadingStatus } from "@/components/ui/Spinner";
import { type Api, ApiError, call, createApi } from "@/lib/api";
import { loadAccount } from "@/lib/auth";
import { absoluteUrl, useConfig } from "@/lib/config";
import { dateTime, money } from "@/lib/format";
import type { SessionSummary } from "@/lib/types";

const STAGE_TONE: Record<string, "green" | "amber" | "red" | "brand"> = {
  complete: "green",
  failed: "red",
  image_generation: "amber",
  clip_generation: "amber",
  final_composition: "amber",
};

/** The step a session is at, in the words of the screens. */
const STEP: Record<string, string> = {
  created: "Describe product",
  image_generation: "Generating images",
  image_selection: "Choosing images",
  clip_generation: "Generating clips",
  clip_selection: "Choosing clips",
  final_composition: "Rendering",
  complete: "Finished",
  failed: "Needs attention",
};

/** "My sessions": every session of the signed-in user, newest first, each one a click from where it was left. */
export function SessionList() {
  const { apiUrl } = useConfig();
  const router = useRouter();
  const [token, setToken] = useState<string | null>(null);
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    const account = loadAccount();
    if (!account) router.replace("/?next=/sessions");
    else setToken(account.token);
  }, [router]);

  const api = useMemo(() => createApi(apiUrl, token), [apiUrl, token]);

  const load = useCallback(async () => {
    if (!token) return;
    try {
      setSessions(await call(api.GET("/api/sessions")));
      setError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) router.replace("/?next=/sessions&expired=1");
      setError(err);
    }
  }, [api, token, router]);

  useEffect(() => void load(), [load]);

  // A session is created when the person starts a product, never on sign-in.
  async function createSession() {
    setCreating(true);
    try {
      const created = await call(api.POST("/api/sessions/create", { body: {} }));
      router.push(`/sessions/${created.session_id}/images`);
    } catch (err) {
      setError(err);
      setCreating(false);
    }
  }

  return (
    <main className="mx-auto max-w-5xl px-4 pb-24 pt-10 sm:px-6">
      <div className="mb-8 flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight text-slate-900">My sessions</h1>
          <p className="mt-1 text-slate-500">Pick up any ad where you left it.</p>
        </div>
        <Button size="lg" onClick={createSession} loading={creating}>
          New video ad
        </Button>
      </div>
      <PageProblem error={error} onRetry={() => void load()} className="mb-6" />
      {sessions === null && error === null && (
        <LoadingStatus padding="py-24">Loading your sessions…</LoadingStatus>
      )}
      {sessions?.length === 0 && (
        <Card className="px-6 py-16 text-center">
          <p className="font-semibold text-slate-900">No sessions yet</p>
          <p className="mt-1 text-sm text-slate-500">Start your first video ad: it takes about a minute on the offline engines.</p>
        </Card>
      )}
      {sessions && sessions.length > 0 && (
        <Card as="div" className="overflow-hidden">
          <ul className="session-list divide-y divide-slate-100">
            {sessions.map((s) => (
              <SessionRow key={s.id} session={s} api={api} apiUrl={apiUrl} onChanged={load} onError={setError} />
            ))}
          </ul>
        </Card>
      )}
    </main>
  );
}

type Mode = "idle" | "rename" | "duplicate" | "delete";

function SessionRow({
  session: s,
  api,
  apiUrl,
  onChanged,
  onError,
}: {
  session: SessionSummary;
  api: Api;
  apiUrl: string;
  onChanged: () => Promise<void>;
  onError: (err: unknown) => void;
}) {
  const router = useRouter();
  const [mode, setMode] = useState<Mode>("idle");
  const [title, setTitle] = useState(s.title ?? "");
  const [busy, setBusy] = useState(false);
  const name = s.title ?? "Untitled session";
  const path = { params: { path: { session_id: s.id } } };

  async function run(action: () => Promise<void>) {
    setBusy(true);
    onError(null);
    try {
      await action();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  const rename = (event: React.FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await call(api.PATCH("/api/sessions/{session_id}", { ...path, body: { title } }));
      setMode("idle");
      await onChanged();
    });
  };
  const duplicate = (copy: "same_images" | "fresh") =>
    run(async () => {
      const created = await call(api.POST("/api/sessions/{session_id}/duplicate", { ...path, body: { mode: copy } }));
      router.push(`/sessions/${created.session_id}`);
    });
  const remove = () =>
    run(async () => {
      await call(api.DELETE("/api/sessions/{session_id}", path));
      await onChanged();
    });

  const hasImages = s.thumbnail_url != null;
  return (
    <li className="session-row flex flex-wrap items-center gap-3 px-4 py-4 sm:flex-nowrap sm:gap-4 sm:px-6" data-session-id={s.id}>
      <Link href={`/sessions/${s.id}`} className="flex min-w-0 flex-1 basis-full items-center gap-3 rounded-lg sm:basis-0 sm:gap-4 focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-600">
        <div className="h-14 w-14 flex-none overflow-hidden rounded-lg bg-slate-100 ring-1 ring-slate-200">
          {/* eslint-disable-next-line @next/next/no-img-element -- a signed gateway URL, served as is */}
          {hasImages && <img src={absoluteUrl(apiUrl, s.thumbnail_url!)} alt="" className="session-thumbnail h-full w-full object-cover" />}
        </div>
        <div className="min-w-0 flex-1">
          <p className="session-title truncate font-medium text-slate-900">{name}</p>
          <p className="mt-0.5 text-sm text-slate-500">
            <span className="sr-only">Last changed </span>
            {dateTime(s.updated_at)}
          </p>
        </div>
        {/* Stacked on a phone, so the name keeps most of the row. */}
        <div className="flex flex-none flex-col items-end gap-1 sm:flex-row sm:items-center sm:gap-4">
          <Badge tone={STAGE_TONE[s.stage] ?? "brand"}>{STEP[s.stage] ?? s.stage}</Badge>
          <span className="text-right text-sm tabular-nums text-slate-700 sm:w-16">{money(s.total_cost)}</span>
        </div>
      </Link>
      {/* On a phone the actions take a row of their own, under the session they act on. */}
      <div className="-ml-3 flex flex-none items-center gap-1 sm:ml-0">
        <Button size="sm" variant="ghost" aria-label={`Rename ${name}`} onClick={() => setMode(mode === "rename" ? "idle" : "rename")}>
          Rename
        </Button>
        <Button size="sm" variant="ghost" aria-label={`Duplicate ${name}`} aria-expanded={mode === "duplicate"} onClick={() => setMode(mode === "duplicate" ? "idle" : "duplicate")}>
          Duplicate
        </Button>
        <Button size="sm" variant="ghost" aria-label={`Delete ${name}`} onClick={() => setMode(mode === "delete" ? "idle" : "delete")}>
          Delete
        </Button>
      </div>
      {mode === "rename" && (
        <form className="flex w-full flex-wrap items-center gap-2" onSubmit={rename}>
          <label htmlFor={`title-${s.id}`} className="sr-only">
            New name
          </label>
          <input
            id={`title-${s.id}`}
            name="title"
            className={`${inputClass} min-w-0 flex-1`}
            maxLength={100}
            value={title}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
          />
          <Button type="submit" size="sm" loading={busy} disabled={!title.trim()}>
            Save
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setMode("idle")}>
            Cancel
          </Button>
        </form>
      )}
      {mode === "duplicate" && (
        <div className="flex w-full flex-wrap items-center gap-2 rounded-lg bg-slate-50 p-3 text-sm">
          <span className="text-slate-600">Start a copy:</span>
          <Button size="sm" variant="secondary" loading={busy} disabled={!hasImages} onClick={() => void duplicate("same_images")} title={hasImages ? undefined : "This session has no images yet"}>
            Same product &amp; images, new scene
          </Button>
          <Button size="sm" variant="secondary" loading={busy} onClick={() => void duplicate("fresh")}>
            Fresh start
          </Button>
        </div>
      )}
      {mode === "delete" && (
        <div className="flex w-full flex-wrap items-center gap-2 rounded-lg bg-rose-50 p-3 text-sm" role="alert">
          <span className="flex-1 text-rose-800">Delete “{name}”? Its images and videos are removed and its share links stop working.</span>
          <Button size="sm" variant="danger" loading={busy} onClick={() => void remove()}>
            Delete for good
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setMode("idle")}>
            Keep it
          </Button>
        </div>
      )}
    </li>
  );
}
