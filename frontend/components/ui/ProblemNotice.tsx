import { type Problem, describeProblem } from "@/lib/errors";

import { Button } from "./Button";

/** An error in plain words, with a way forward. */
export function ProblemNotice({
  problem,
  onRetry,
  retryLabel = "Try again",
  retrying = false,
  onDismiss,
}: {
  problem: Problem;
  onRetry?: () => void;
  retryLabel?: string;
  retrying?: boolean;
  onDismiss?: () => void;
}) {
  return (
    <div role="alert" className="problem flex gap-3 rounded-xl border border-rose-200 bg-rose-50 px-4 py-3.5 text-sm">
      <svg className="mt-0.5 h-5 w-5 flex-none text-rose-500" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
        <path
          fillRule="evenodd"
          d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
          clipRule="evenodd"
        />
      </svg>
      <div className="min-w-0 flex-1">
        <p className="font-semibold text-rose-900">{problem.title}</p>
        {problem.detail && <p className="mt-0.5 break-words text-rose-800">{problem.detail}</p>}
        {(onRetry || onDismiss) && (
          <div className="mt-3 flex gap-2">
            {onRetry && (
              <Button size="sm" variant="danger" onClick={onRetry} loading={retrying}>
                {retryLabel}
              </Button>
            )}
            {onDismiss && (
              <Button size="sm" variant="ghost" onClick={onDismiss}>
                Dismiss
              </Button>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

/** A page's read or action error, if there is one, with a retry that reads the page again. */
export function PageProblem({ error, onRetry, className }: { error: unknown; onRetry: () => void; className: string }) {
  if (error === null) return null;
  return (
    <div className={className}>
      <ProblemNotice problem={describeProblem(error)} onRetry={onRetry} />
    </div>
  );
}

/** An action's error, if there is one, that the user dismisses; inside a div of `className` when one is given. */
export function ActionProblem({ error, onDismiss, className }: { error: unknown; onDismiss: () => void; className?: string }) {
  if (error === null) return null;
  const notice = <ProblemNotice problem={describeProblem(error)} onDismiss={onDismiss} />;
  return className ? <div className={className}>{notice}</div> : notice;
}
