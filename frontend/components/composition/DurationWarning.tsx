import clsx from "clsx";

import { TARGET_MAX_S, TARGET_MIN_S } from "@/components/composition/timeline";

/** The ad's length is outside what an ad should last: says so, then the ways to fix it (children). */
export function DurationWarning({ total, className, children }: { total: number; className: string; children: React.ReactNode }) {
  return (
    <div className={clsx("duration-warning rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900", className)} role="status">
      <p>
        {total < TARGET_MIN_S ? "Shorter" : "Longer"} than the {TARGET_MIN_S}-{TARGET_MAX_S} s an ad should last.
      </p>
      {children}
    </div>
  );
}
