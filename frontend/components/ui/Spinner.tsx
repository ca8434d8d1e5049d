import clsx from "clsx";

export function Spinner({ className }: { className?: string }) {
  return (
    <svg className={clsx("animate-spin", className)} viewBox="0 0 24 24" fill="none" aria-hidden="true">
      <circle cx="12" cy="12" r="10" stroke="currentColor" strokeOpacity="0.25" strokeWidth="4" />
      <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
    </svg>
  );
}

/** A page's "loading …" line, centred beside a spinner, as a live status; `padding` sets its height. */
export function LoadingStatus({ padding, children }: { padding: "py-24" | "py-32"; children: React.ReactNode }) {
  return (
    <div className={clsx("flex items-center justify-center gap-3", padding, "text-slate-500")} role="status">
      <Spinner className="h-5 w-5" /> {children}
    </div>
  );
}
