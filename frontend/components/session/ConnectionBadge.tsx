import clsx from "clsx";

import type { ConnectionState } from "@/hooks/useProgressSocket";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live updates",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/** The progress socket's state, always visible so a stalled screen is never a mystery. */
export function ConnectionBadge({ state }: { state: ConnectionState }) {
  return (
    <span
      className="connection-state inline-flex flex-none items-center gap-2 rounded-full bg-white px-2 py-1 sm:px-3 text-xs font-medium text-slate-600 ring-1 ring-inset ring-slate-200"
      data-state={state}
      role="status"
      aria-live="polite"
    >
      <span
        className={clsx(
          "h-2 w-2 rounded-full",
          state === "live" && "bg-emerald-500",
          (state === "connecting" || state === "reconnecting") && "animate-pulse bg-amber-400",
          state === "offline" && "bg-rose-500",
        )}
        aria-hidden="true"
      />
      <span className="sr-only sm:not-sr-only">{LABELS[state]}</span>
    </span>
  );
}
