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

/**
 * A labelled text input, with an optional `aside` by its label and `children` below it (a message
 * about it); it takes `inputClass` unless given a class of its own.
 */
export function InputField({
  id,
  label,
  aside,
  className = inputClass,
  children,
  ...input
}: { id: string; label: React.ReactNode; aside?: React.ReactNode } & Omit<React.InputHTMLAttributes<HTMLInputElement>, "id">) {
  return (
    <div>
      <FieldLabel htmlFor={id} aside={aside}>
        {label}
      </FieldLabel>
      <input id={id} className={className} {...input} />
      {children}
    </div>
  );
}

/**
 * A labelled select in a div of `className`, with an optional hint below that describes it. Its
 * options are its children, then one per item of `options`.
 */
export function SelectField({
  id,
  label,
  hint,
  className,
  children,
  options = [],
  ...select
}: {
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  className?: string;
  children?: React.ReactNode;
  options?: { value: string | number; label: React.ReactNode }[];
} & Omit<React.SelectHTMLAttributes<HTMLSelectElement>, "id" | "className" | "children">) {
  const hintId = hint ? `${id}_hint` : undefined;
  return (
    <div className={className}>
      <FieldLabel htmlFor={id}>{label}</FieldLabel>
      <select id={id} className={inputClass} aria-describedby={hintId} {...select}>
        {children}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A labelled three-line text area for a prompt, with its live character count; required. */
export function PromptField({
  id,
  label,
  max,
  placeholder,
  value,
  onChange,
  disabled,
}: {
  id: string;
  label: React.ReactNode;
  max: number;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  disabled: boolean;
}) {
  return (
    <div>
      <FieldLabel htmlFor={id} aside={<CharCounter value={value} max={max} />}>
        {label}
      </FieldLabel>
      <textarea
        id={id}
        name={id}
        rows={3}
        maxLength={max}
        placeholder={placeholder}
        className={`${inputClass} resize-none text-base`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        required
      />
    </div>
  );
}
