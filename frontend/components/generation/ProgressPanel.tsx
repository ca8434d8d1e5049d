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
  const live = progress && progress.session_stage === session.stage ? progress : null;
  const value = live?.progress ?? session.progress;
  const message = live?.message || session.message || "Starting…";
  const cost = live?.current_cost ?? session.total_cost;
  return (
    <Card className="progress-panel p-6" aria-live="polite">
      <div className="flex items-center justify-between gap-4">
        <div className="flex items-center gap-3">
          <span className="flex h-9 w-9 items-center justify-center rounded-full bg-brand-50 text-brand-600">
            <Spinner className="h-5 w-5" />
          </span>
          <div>
            <h2 className="font-semibold text-slate-900">{title}</h2>
            <p className="progress-message text-sm text-slate-600">{message}</p>
          </div>
        </div>
        <span className="text-2xl font-semibold tabular-nums text-slate-900">{Math.round(value)}%</span>
      </div>
      <div className="mt-5">
        <ProgressBar value={value} label={title} />
      </div>
      <div className="mt-3 flex items-center justify-between text-xs text-slate-500">
        <span>Cost so far: {money(cost)}</span>
        <ConnectionBadge state={connection} />
      </div>
    </Card>
  );
}
