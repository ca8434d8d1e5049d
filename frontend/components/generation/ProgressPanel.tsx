import { useRef } from "react";

import { ConnectionBadge } from "@/components/session/ConnectionBadge";
import { useSession } from "@/components/session/SessionProvider";
import { Card } from "@/components/ui/Card";
import { ProgressBar } from "@/components/ui/ProgressBar";
import { Spinner } from "@/components/ui/Spinner";
import { money } from "@/lib/format";
import type { Session } from "@/lib/types";

/**
 * Live progress of the running stage: the gateway's stage messages ("Generating image 3 of 6..."),
 * a 0-100 bar, the cost so far and the socket's state. Falls back to what the session last said.
 */
export function ProgressPanel({ session, title }: { session: Session; title: string }) {
  const { progress, connection } = useSession();
  // Only this run's events: the last "complete" of an earlier run must not fill a new bar.
  const live =
    progress && progress.session_stage === session.stage && (progress.type === "progress" || progress.type === "snapshot")
      ? progress
      : null;
  // The bar runs 0 -> 100 % for this step and never goes back (the panel lives as long as the step).
  const highest = useRef<{ stage: string; value: number }>({ stage: session.stage, value: 0 });
  if (highest.current.stage !== session.stage) highest.current = { stage: session.stage, value: 0 };
  const value = Math.max(highest.current.value, live?.progress ?? 0, session.progress ?? 0);
  highest.current.value = value;
  const message = live?.message || session.message || "Starting…";
  const cost = live?.current_cost ?? session.total_cost;
  const eta = typeof live?.data?.eta_s === "number" ? Math.max(0, Math.round(live.data.eta_s as number)) : null;
  return (
    <Card className="progress-panel p-6" aria-live="polite">
      <div className="flex items-center justify-between gap-4">
        <div className="flex min-w-0 items-center gap-3">
          <span className="flex h-9 w-9 items-center justify-center rounded-full bg-brand-50 text-brand-600">
            <Spinner className="h-5 w-5" />
          </span>
          <div className="min-w-0">
            <h2 className="font-semibold text-slate-900">{title}</h2>
            <p className="progress-message text-sm text-slate-600">{message}</p>
            {eta !== null && value < 100 && (
              <p className="progress-eta text-xs tabular-nums text-slate-500">About {eta} s left</p>
            )}
          </div>
        </div>
        <span className="text-2xl font-semibold tabular-nums text-slate-900">{Math.round(value)}%</span>
      </div>
      <div className="mt-5">
        <ProgressBar value={value} label={title} />
      </div>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-500">
        <span>Cost so far: {money(cost)}</span>
        <ConnectionBadge state={connection} />
      </div>
    </Card>
  );
}
