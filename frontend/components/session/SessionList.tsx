"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";

import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { Spinner } from "@/components/ui/Spinner";
import { ApiError, call, createApi } from "@/lib/api";
import { loadAccount } from "@/lib/auth";
import { useConfig } from "@/lib/config";
import { describeProblem } from "@/lib/errors";
import { dateTime, money, titleCase } from "@/lib/format";
import type { SessionSummary } from "@/lib/types";

const STAGE_TONE: Record<string, "green" | "amber" | "red" | "brand"> = {
  complete: "green",
  failed: "red",
  image_generation: "amber",
  clip_generation: "amber",
  final_composition: "amber",
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
    <main className="mx-auto max-w-5xl px-6 pb-24 pt-10">
      <div className="mb-8 flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight text-slate-900">My sessions</h1>
          <p className="mt-1 text-slate-500">Pick up any ad where you left it.</p>
        </div>
        <Button size="lg" onClick={createSession} loading={creating}>
          New video ad
        </Button>
      </div>
      {error !== null && (
        <div className="mb-6">
          <ProblemNotice problem={describeProblem(error)} onRetry={() => void load()} />
        </div>
      )}
      {sessions === null && error === null && (
        <div className="flex items-center justify-center gap-3 py-24 text-slate-500" role="status">
          <Spinner className="h-5 w-5" /> Loading your sessions…
        </div>
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
              <li key={s.id}>
                <Link
                  href={`/sessions/${s.id}`}
                  className="flex items-center gap-4 px-6 py-4 transition-colors hover:bg-slate-50 focus-visible:bg-slate-50 focus-visible:outline-none"
                >
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium text-slate-900">{s.product_prompt ?? "Untitled session"}</p>
                    <p className="mt-0.5 text-sm text-slate-500">{dateTime(s.created_at)}</p>
                  </div>
                  <Badge tone={STAGE_TONE[s.stage] ?? "brand"}>{titleCase(s.stage)}</Badge>
                  <span className="w-20 text-right text-sm tabular-nums text-slate-700">{money(s.total_cost)}</span>
                  <span className="text-slate-300" aria-hidden="true">
                    →
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </main>
  );
}
