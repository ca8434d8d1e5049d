import { Card } from "@/components/ui/Card";
import { dateTime, money, titleCase } from "@/lib/format";
import type { Costs, Session } from "@/lib/types";

const AGENT_LABELS: Record<string, string> = {
  prompt_parser: "Prompt analysis",
  image_gen: "Images",
  video_gen: "Clips",
  compositor: "Final composition",
};

/** Per-stage cost lines from the gateway's ledger, in journey order. */
export function costLines(costs: Costs | null): { label: string; cost: number; calls: number }[] {
  const order = Object.keys(AGENT_LABELS);
  return (costs?.breakdown ?? [])
    .reduce<{ agent: string; cost: number; calls: number }[]>((acc, line) => {
      const found = acc.find((a) => a.agent === line.agent);
      if (found) {
        found.cost += line.cost;
        found.calls += line.calls;
      } else acc.push({ agent: line.agent, cost: line.cost, calls: line.calls });
      return acc;
    }, [])
    .sort((a, b) => order.indexOf(a.agent) - order.indexOf(b.agent))
    .map((a) => ({ label: AGENT_LABELS[a.agent] ?? titleCase(a.agent), cost: a.cost, calls: a.calls }));
}

export function SessionInfo({ session }: { session: Session }) {
  return (
    <Card as="aside" aria-label="Session info" className="session-info p-5">
      <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Session</h2>
      <p className="mt-2 line-clamp-3 font-semibold text-slate-900">{session.product_prompt ?? "New product"}</p>
      <dl className="mt-3 space-y-1.5 text-sm">
        <div className="flex justify-between gap-3">
          <dt className="text-slate-500">Started</dt>
          <dd className="text-right text-slate-700">{dateTime(session.created_at)}</dd>
        </div>
        <div className="flex justify-between gap-3">
          <dt className="text-slate-500">Stage</dt>
          <dd className="text-right text-slate-700">{titleCase(session.stage)}</dd>
        </div>
        {session.consistency_seed != null && (
          <div className="flex justify-between gap-3">
            <dt className="text-slate-500">Seed</dt>
            <dd className="text-right font-mono text-slate-700">{session.consistency_seed}</dd>
          </div>
        )}
      </dl>
    </Card>
  );
}

export function CostTracker({
  session,
  costs,
  warning = null,
}: {
  session: Session;
  costs: Costs | null;
  warning?: string | null;
}) {
  const lines = costLines(costs);
  const used = session.budget > 0 ? (session.total_cost / session.budget) * 100 : 0;
  return (
    <Card as="aside" aria-label="Cost tracker" className="cost-tracker p-5">
      <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Cost tracker</h2>
      <dl className="mt-3 space-y-1.5 text-sm">
        {lines.length === 0 && <p className="text-slate-500">Nothing spent yet.</p>}
        {lines.map((l) => (
          <div key={l.label} className="flex justify-between gap-3">
            <dt className="text-slate-600">{l.label}</dt>
            <dd className="tabular-nums text-slate-900">{money(l.cost)}</dd>
          </div>
        ))}
      </dl>
      <div className="mt-3 flex items-baseline justify-between border-t border-slate-100 pt-3">
        <span className="text-sm font-semibold text-slate-900">Total</span>
        <span className="text-lg font-semibold tabular-nums text-slate-900" data-testid="total-cost">
          {money(session.total_cost)}
        </span>
      </div>
      {warning && (
        <p role="status" className="budget-warning mt-3 rounded-lg bg-amber-50 px-3 py-2 text-xs text-amber-800">
          {warning}
        </p>
      )}
      <div className="mt-3">
        <div className="h-1.5 overflow-hidden rounded-full bg-slate-100">
          <div className={`h-full rounded-full ${used >= 80 ? "bg-amber-500" : "bg-emerald-500"}`} style={{ width: `${Math.min(100, Math.max(used, 0.5))}%` }} />
        </div>
        <p className="mt-1.5 text-xs text-slate-500">
          {money(session.total_cost)} of {money(session.budget)} budget
        </p>
      </div>
    </Card>
  );
}
