import clsx from "clsx";

/** A folded section: its summary line with an arrow that turns when open, then what it holds. */
export function Disclosure({
  summary,
  className,
  open,
  children,
}: {
  summary: React.ReactNode;
  className?: string;
  open?: boolean;
  children: React.ReactNode;
}) {
  return (
    <details className={clsx(className, "group rounded-xl border border-slate-200 bg-slate-50/60")} open={open}>
      <summary className="flex cursor-pointer list-none items-center justify-between px-4 py-3 text-sm font-medium text-slate-700">
        {summary}
        <span className="text-slate-400 transition group-open:rotate-180" aria-hidden="true">
          ▾
        </span>
      </summary>
      {children}
    </details>
  );
}
