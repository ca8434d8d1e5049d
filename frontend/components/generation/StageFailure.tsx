"use client";

import { useState } from "react";

import { useSession } from "@/components/session/SessionProvider";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { call } from "@/lib/api";
import { describeProblem, describeStageFailure } from "@/lib/errors";
import type { Session } from "@/lib/types";

/** A failed stage in plain words, with Retry: the gateway resumes it without paying twice. */
export function StageFailure({ session }: { session: Session }) {
  const { api, refresh } = useSession();
  const [retrying, setRetrying] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (session.stage !== "failed") return null;

  async function retry() {
    setRetrying(true);
    setError(null);
    try {
      await call(api.POST("/api/sessions/{session_id}/retry", { params: { path: { session_id: session.id } } }));
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setRetrying(false);
    }
  }

  const problem = error ? describeProblem(error) : describeStageFailure(session.error ?? "The stage stopped.");
  return <ProblemNotice problem={problem} onRetry={retry} retryLabel="Retry" retrying={retrying} />;
}
