import clsx from "clsx";

export const STYLE_OPTIONS = ["professional", "studio", "lifestyle", "minimalist", "luxury", "vibrant", "outdoor", "editorial"];

/** Multi-select chips; each is a real checkbox, so it is labelled and keyboard-operable. */
export function StyleChips({
  value,
  onChange,
  disabled,
}: {
  value: string[];
  onChange: (v: string[]) => void;
  disabled?: boolean;
}) {
  return (
    <fieldset disabled={disabled}>
      <legend className="mb-2 text-sm font-medium text-slate-800">Style keywords</legend>
      <div className="flex flex-wrap gap-2">
        {STYLE_OPTIONS.map((style) => {
          const on = value.includes(style);
          return (
            <label key={style} className="style-chip cursor-pointer">
              <input
                type="checkbox"
                name="style_keywords"
                value={style}
                className="peer sr-only"
                checked={on}
                onChange={() => onChange(on ? value.filter((v) => v !== style) : [...value, style])}
              />
              <span
                className={clsx(
                  "inline-flex items-center gap-1 rounded-full px-3 py-1.5 text-sm font-medium ring-1 ring-inset transition",
                  "peer-focus-visible:ring-2 peer-focus-visible:ring-brand-500 peer-disabled:opacity-60",
                  on ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50",
                )}
              >
                {on && <span aria-hidden="true">✓</span>}
                {style}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
