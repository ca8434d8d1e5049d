"use client";

import Link from "next/link";
import { useCallback, useEffect, useState } from "react";

import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { PageProblem } from "@/components/ui/ProblemNotice";
import { ProgressBar } from "@/components/ui/ProgressBar";
import { LoadingStatus } from "@/components/ui/Spinner";
import { type Api, call } from "@/lib/api";
import type { components } from "@/lib/api-schema";
import { absoluteUrl } from "@/lib/config";
import { money } from "@/lib/format";

import { useSignedInPage } from "./useSignedInApi";

type Row = components["schemas"]["BatchRowView"];

const TONE: Record<Row["status"], "green" | "amber" | "red" | "light" | "brand"> = {
  complete: "green",
  running: "amber",
  queued: "brand",
  failed: "red",
  invalid: "red",
  not_run: "light",
};
const POLL_MS = 1500;

/** One batch: every row's progress, cost and finals while it runs, and a ZIP of all the finals. */
export function BatchDetail({ id }: { id: string }) {
  const readBatch = useCallback((api: Api) => call(api.GET("/api/batches/{batch_id}", { params: { path: { batch_id: id } } })), [id]);
  const { api, apiUrl, data: batch, setData: setBatch, error, setError, reload } = useSignedInPage(`/batches/${id}`, readBatch);
  const [cancelling, setCancelling] = useState(false);

  // Read again while the batch runs: a read that works clears the last problem.
  const load = useCallback(async () => {
    if (await reload()) setError(null);
  }, [reload, setError]);
  const running = batch?.status === "running";
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [running, load]);

  async function cancel() {
    setCancelling(true);
    try {
      setBatch(await call(api.POST("/api/batches/{batch_id}/cancel", { params: { path: { batch_id: id } } })));
    } catch (err) {
      setError(err);
    } finally {
      setCancelling(false);
    }
  }

  return (
    <main className="mx-auto max-w-6xl px-4 pb-24 pt-10 sm:px-6">
      <Link href="/batches" className="text-sm font-medium text-brand-700 hover:underline">
        ← Batches
      </Link>
      <PageProblem error={error} onRetry={() => void load()} className="mt-4" />
      {batch === null && error === null && (
        <LoadingStatus padding="py-24">Loading the batch…</LoadingStatus>
      )}
      {batch && (
        <>
          <div className="mt-3 flex flex-wrap items-end justify-between gap-4">
            <div>
              <h1 className="text-2xl font-bold tracking-tight text-slate-900">{batch.name ?? "Batch"}</h1>
              <p className="mt-1 text-slate-500">
                {batch.rows.length} rows · {money(batch.total_cost)} spent · {money(batch.reserved)} reserved of {money(batch.budget)}
              </p>
            </div>
            <div className="flex items-center gap-2">
              <Badge tone={running ? "amber" : batch.status === "complete" ? "green" : "light"}>{batch.status}</Badge>
              {running && (
                <Button variant="danger" size="sm" onClick={() => void cancel()} loading={cancelling}>
                  Cancel
                </Button>
              )}
              {batch.zip_url && (
                <a className="inline-flex h-10 items-center rounded-lg bg-brand-600 px-4 text-sm font-medium text-white hover:bg-brand-700" href={absoluteUrl(apiUrl, batch.zip_url)} download>
                  Download all finals (ZIP)
                </a>
              )}
            </div>
          </div>
          <Card as="div" className="mt-6 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-4 py-3">Row</th>
                  <th className="px-4 py-3">Product</th>
                  <th className="px-4 py-3">Status</th>
                  <th className="w-1/4 px-4 py-3">Progress</th>
                  <th className="px-4 py-3 text-right">Cost</th>
                  <th className="px-4 py-3">Final</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {batch.rows.map((r) => (
                  <tr key={r.row} data-row={r.row} className="batch-row align-top">
                    <td className="px-4 py-3 tabular-nums text-slate-500">{r.row}</td>
                    <td className="px-4 py-3">
                      <span className="font-medium text-slate-900">{r.name ?? r.product ?? "—"}</span>
                      {r.session_id && (
                        <Link href={`/sessions/${r.session_id}`} className="ml-2 text-xs text-brand-700 hover:underline">
                          session
                        </Link>
                      )}
                    </td>
                    <td className="px-4 py-3">
                      <Badge tone={TONE[r.status]}>{r.status.replace("_", " ")}</Badge>
                    </td>
                    <td className="px-4 py-3">
                      {r.status === "invalid" ? (
                        <ul className="text-xs text-rose-700">
                          {r.problems.map((p) => (
                            <li key={p.column}>
                              <strong>{p.column}</strong>: {p.message}
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <>
                          <ProgressBar value={r.progress} label={`Row ${r.row} progress`} />
                          <p className="mt-1 text-xs text-slate-500">{r.reason ?? r.message ?? ""}</p>
                        </>
                      )}
                    </td>
                    <td className="px-4 py-3 text-right tabular-nums text-slate-700">{money(r.cost)}</td>
                    <td className="px-4 py-3">
                      {r.final_videos.map((v) => (
                        <a key={v.url} href={absoluteUrl(apiUrl, v.download_url || v.url)} className="mr-2 text-brand-700 hover:underline">
                          {v.aspect_ratio}
                        </a>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </>
      )}
    </main>
  );
}
