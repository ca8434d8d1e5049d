"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { FieldLabel, inputClass } from "@/components/ui/Field";
import { type Api, ApiError, call } from "@/lib/api";
import { dateTime, money } from "@/lib/format";

import { PageListCard } from "./PageListCard";
import { useSignedInPage } from "./useSignedInApi";

const EXAMPLE = "product,scene,name,cta,formats,music\npink tennis shoes,a runner on a track at golden hour,AirRun,Shop Now,16:9;9:16,upbeat";

const readBatches = (api: Api) => call(api.GET("/api/batches"));

/** Batches: a spreadsheet of products in (CSV), one ad per row under a budget; the list of earlier ones. */
export function BatchList() {
  const router = useRouter();
  const { api, data: batches, error, setError, reload: load } = useSignedInPage("/batches", readBatches);
  const [rowProblems, setRowProblems] = useState<string[]>([]);
  const [csv, setCsv] = useState("");
  const [budget, setBudget] = useState("20");
  const [name, setName] = useState("");
  const [sending, setSending] = useState(false);

  async function readFile(file: File | undefined) {
    if (file) setCsv(await file.text());
  }

  async function start(event: React.FormEvent) {
    event.preventDefault();
    setSending(true);
    setError(null);
    setRowProblems([]);
    try {
      const body = { csv, budget_usd: Number(budget), ...(name.trim() ? { name: name.trim() } : {}) };
      const created = await call(api.POST("/api/batches", { body }));
      router.push(`/batches/${created.id}`);
    } catch (err) {
      // Every row refused: each problem by row and column, as the gateway named it.
      if (err instanceof ApiError && err.fields.length > 1) setRowProblems(err.fields);
      else setError(err);
      setSending(false);
    }
  }

  return (
    <main className="mx-auto max-w-5xl px-4 pb-24 pt-10 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900">Batches</h1>
      <p className="mt-1 text-slate-500">One ad per row of a spreadsheet, with automatic picks, under a budget.</p>
      <Card className="mt-6 p-6">
        <form onSubmit={start} className="grid gap-4" aria-label="New batch">
          <div>
            <FieldLabel htmlFor="batch-file" aside="product and scene are required">
              Rows (CSV: a header line, then one ad per line)
            </FieldLabel>
            <input id="batch-file" type="file" accept=".csv,text/csv" className="mb-2 text-sm" onChange={(e) => void readFile(e.target.files?.[0])} />
            <textarea
              aria-label="CSV rows"
              className={`${inputClass} h-36 font-mono text-xs`}
              placeholder={EXAMPLE}
              value={csv}
              onChange={(e) => setCsv(e.target.value)}
            />
            <p className="mt-1 text-xs text-slate-500">
              Columns: product, scene, name, cta, formats (16:9;9:16;1:1), music (upbeat, chill, energetic, none), brand_font, brand_color, images, clips, clip_duration, video_model, voiceover (auto or a script), voice, captions (phrase, highlight).
            </p>
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <div>
              <FieldLabel htmlFor="batch-budget">Budget (USD)</FieldLabel>
              <input id="batch-budget" type="number" min="0.01" step="0.01" className={inputClass} value={budget} onChange={(e) => setBudget(e.target.value)} />
            </div>
            <div>
              <FieldLabel htmlFor="batch-name">Name</FieldLabel>
              <input id="batch-name" className={inputClass} maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
            </div>
          </div>
          {rowProblems.length > 0 && (
            <ul className="rounded-lg bg-rose-50 p-3 text-sm text-rose-800" aria-label="Row problems">
              {rowProblems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <div>
            <Button type="submit" size="lg" loading={sending} disabled={!csv.trim()}>
              Start batch
            </Button>
          </div>
        </form>
      </Card>
      <PageListCard error={error} onRetry={() => void load()} items={batches}>
        {(b) => (
          <li key={b.id}>
            <Link href={`/batches/${b.id}`} className="flex flex-wrap items-center gap-4 px-6 py-4 hover:bg-slate-50">
              <span className="min-w-0 flex-1">
                <span className="block truncate font-medium text-slate-900">{b.name ?? "Batch"}</span>
                <span className="text-sm text-slate-500">
                  {dateTime(b.created_at)} · {b.rows} rows · {b.counts.complete ?? 0} made
                </span>
              </span>
              <Badge tone={b.status === "running" ? "amber" : b.status === "complete" ? "green" : "light"}>{b.status}</Badge>
              <span className="w-28 text-right text-sm tabular-nums text-slate-700">
                {money(b.total_cost)} / {money(b.budget)}
              </span>
            </Link>
          </li>
        )}
      </PageListCard>
    </main>
  );
}
