"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

import { useSession } from "@/components/session/SessionProvider";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { LoadingStatus } from "@/components/ui/Spinner";
import { describeProblem } from "@/lib/errors";
import { homeScreen, screenPath } from "@/lib/screens";

/** /sessions/{id}: open the session on the screen it was left on. */
export default function OpenSessionPage() {
  const { session, loadError, refresh, sessionId } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (session) router.replace(screenPath(sessionId, homeScreen(session)));
  }, [session, router, sessionId]);
  if (loadError && !session) {
    return (
      <div className="mx-auto max-w-xl py-16">
        <ProblemNotice problem={describeProblem(loadError)} onRetry={() => void refresh()} />
      </div>
    );
  }
  return (
    <LoadingStatus padding="py-32">Opening your session…</LoadingStatus>
  );
}
