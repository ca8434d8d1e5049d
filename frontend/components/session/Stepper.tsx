import clsx from "clsx";
import Link from "next/link";

import { reachedIndex, SCREENS, screenFits, screenPath, type ScreenKey } from "@/lib/screens";
import type { Session } from "@/lib/types";

/** Where you are in the journey; steps you can go back to are links. */
export function Stepper({ session, current }: { session: Session; current: ScreenKey }) {
  const reached = reachedIndex(session);
  return (
    <nav aria-label="Progress">
      <ol className="flex flex-wrap items-center gap-x-1 gap-y-2 text-sm sm:gap-x-2">
        {SCREENS.map((screen, i) => {
          const isCurrent = screen.key === current;
          const done = i < reached && !isCurrent;
          const reachable = screenFits(screen.key, session);
          const content = (
            <>
              <span
                className={clsx(
                  "flex h-6 w-6 flex-none items-center justify-center rounded-full text-xs font-semibold",
                  isCurrent && "bg-brand-600 text-white",
                  done && "bg-brand-100 text-brand-700",
                  !isCurrent && !done && "bg-slate-100 text-slate-500",
                )}
              >
                {done ? "✓" : i + 1}
              </span>
              <span className={clsx(isCurrent ? "font-semibold text-slate-900" : "sr-only text-slate-500 md:not-sr-only")}>{screen.label}</span>
            </>
          );
          return (
            <li key={screen.key} className="flex items-center gap-1 sm:gap-2">
              {reachable && !isCurrent ? (
                <Link
                  href={screenPath(session.id, screen.key)}
                  className="flex items-center gap-2 rounded-md hover:text-slate-900"
                  aria-label={`Step ${i + 1}: ${screen.label}`}
                >
                  {content}
                </Link>
              ) : (
                <span className="flex items-center gap-2" aria-current={isCurrent ? "step" : undefined}>
                  {content}
                </span>
              )}
              {i < SCREENS.length - 1 && <span className="mx-0.5 h-px w-2 bg-slate-200 sm:mx-1 sm:w-6" aria-hidden="true" />}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
