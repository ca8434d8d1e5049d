"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

import { LoadingStatus } from "@/components/ui/Spinner";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { describeProblem } from "@/lib/errors";
import { homeScreen, screenFits, screenPath, type ScreenKey } from "@/lib/screens";
import type { Session } from "@/lib/types";

import { useSession } from "./SessionProvider";

/**
 * Renders a screen once its session is loaded and fits it; otherwise moves to the screen the
 * session belongs on (e.g. the final video finished while you were on "Finishing").
 */
export function ScreenGate({ screen, children }: { screen: ScreenKey; children: (session: Session) => React.ReactNode }) {
  const { session, loadError, refresh, sessionId } = useSession();
  const router = useRouter();
  const fits = session ? screenFits(screen, session) : false;

  useEffect(() => {
    if (session && !fits) router.replace(screenPath(sessionId, homeScreen(session)));
  }, [session, fits, router, sessionId]);

  if (!session && loadError) {
    return (
      <div className="mx-auto max-w-xl py-16">
        <ProblemNotice problem={describeProblem(loadError)} onRetry={() => void refresh()} />
      </div>
    );
  }
  if (!session || !fits) {
    return (
      <LoadingStatus padding="py-32">Loading your session…</LoadingStatus>
    );
  }
  return <>{children(session)}</>;
}
