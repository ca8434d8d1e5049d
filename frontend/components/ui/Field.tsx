import clsx from "clsx";

/** A label above a control, with an optional hint or live counter on the right. */
export function FieldLabel({
  htmlFor,
  children,
  aside,
}: {
  htmlFor: string;
  children: React.ReactNode;
  aside?: React.ReactNode;
}) {
  return (
    <div className="mb-1.5 flex items-baseline justify-between gap-3">
      <label htmlFor={htmlFor} className="text-sm font-medium text-slate-800">
        {children}
      </label>
      {aside && <span className="text-xs tabular-nums text-slate-500">{aside}</span>}
    </div>
  );
}

export const inputClass =
  "block w-full rounded-lg border-0 bg-white px-3.5 py-2.5 text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-brand-600 disabled:bg-slate-50 disabled:text-slate-500 sm:text-sm";

export function CharCounter({ value, max }: { value: string; max: number }) {
  const left = max - value.length;
  return <span className={clsx(left < 20 && "text-amber-600", left <= 0 && "text-rose-600")}>{value.length}/{max}</span>;
}
