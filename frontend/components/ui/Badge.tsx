import clsx from "clsx";

type Tone = "dark" | "light" | "brand" | "green" | "amber" | "red";

const TONES: Record<Tone, string> = {
  dark: "bg-slate-900/75 text-white backdrop-blur-sm",
  light: "bg-slate-100 text-slate-700",
  brand: "bg-brand-50 text-brand-700 ring-1 ring-inset ring-brand-200",
  green: "bg-emerald-50 text-emerald-700 ring-1 ring-inset ring-emerald-200",
  amber: "bg-amber-50 text-amber-800 ring-1 ring-inset ring-amber-200",
  red: "bg-rose-50 text-rose-700 ring-1 ring-inset ring-rose-200",
};

export function Badge({ tone = "light", className, children }: { tone?: Tone; className?: string; children: React.ReactNode }) {
  return (
    <span className={clsx("inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium tabular-nums", TONES[tone], className)}>
      {children}
    </span>
  );
}
