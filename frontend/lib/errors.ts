import { ApiError } from "./api";

export interface Problem {
  title: string;
  detail: string;
  /** Whether trying the same thing again can help (a plain Retry button). */
  retryable: boolean;
}

/** Turn whatever went wrong into words a person can act on. */
export function describeProblem(error: unknown): Problem {
  if (!(error instanceof ApiError)) {
    return { title: "Something went wrong", detail: String((error as Error)?.message ?? error), retryable: true };
  }
  switch (error.status) {
    case 0:
      return {
        title: "Can't reach Adreel",
        detail: "The server did not answer. Check that it is running, then try again.",
        retryable: true,
      };
    case 401:
      // Login answers 401 for a wrong password; everywhere else a 401 means the token expired.
      if (error.path.endsWith("/api/auth/login")) {
        return { title: "Wrong email or password", detail: "Check both and try again.", retryable: false };
      }
      return { title: "Please sign in again", detail: "Your sign-in has expired.", retryable: false };
    case 402:
      return { title: "This would go over your budget", detail: sentence(error.detail), retryable: false };
    case 404:
      return { title: "Not found", detail: "This session does not exist or belongs to someone else.", retryable: false };
    case 409:
      if (error.path.endsWith("/api/auth/register")) {
        return { title: "This email already has an account", detail: "Sign in instead, or use another email.", retryable: false };
      }
      return { title: "This step is not available right now", detail: sentence(error.detail), retryable: true };
    case 422:
      return { title: "Please check your input", detail: sentence(error.detail), retryable: false };
    case 502:
    case 503:
    case 504:
      return {
        title: "An AI agent is unavailable",
        detail: `${sentence(error.detail)} Wait a moment and try again.`,
        retryable: true,
      };
    default:
      return { title: "Something went wrong", detail: sentence(error.detail), retryable: true };
  }
}

/**
 * What went wrong with an upload (`status` 0: it never reached the server), in words a person can act
 * on. `refusals` titles the statuses the gateway refuses a file with; a refusal's detail is the
 * gateway's `words` as a sentence unless it gives its own.
 */
export function describeUploadFailure(
  status: number,
  words: string,
  refusals: Record<number, string | { title: string; detail: string }>,
): Problem {
  if (status === 0) return { title: "The upload did not reach Adreel", detail: "Check your connection, then try again.", retryable: true };
  const refusal = refusals[status];
  if (refusal === undefined) return { title: "The upload failed", detail: words || `Error ${status}.`, retryable: true };
  return typeof refusal === "string" ? { title: refusal, detail: `${words}.`, retryable: false } : { ...refusal, retryable: false };
}

/** Stage failures reported by the gateway (session.error / a "failed" progress event). */
export function describeStageFailure(message: string): Problem {
  const lower = message.toLowerCase();
  if (lower.startsWith("budget")) {
    return { title: "This would go over your budget", detail: sentence(message), retryable: true };
  }
  if (lower.includes("unavailable") || lower.includes("not serving") || lower.includes("unreachable")) {
    return { title: "An AI agent is unavailable", detail: sentence(message), retryable: true };
  }
  return { title: "Generation stopped", detail: sentence(message), retryable: true };
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return "";
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
