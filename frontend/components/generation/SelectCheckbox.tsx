/** The tick on a generated image or clip that keeps it; `label` names the asset for screen readers. */
export function SelectCheckbox({
  checked,
  disabled,
  onToggle,
  label,
}: {
  checked: boolean;
  disabled: boolean;
  onToggle: () => void;
  label: string;
}) {
  return (
    <input
      type="checkbox"
      className="h-4 w-4 cursor-pointer rounded accent-brand-600"
      checked={checked}
      disabled={disabled}
      onChange={onToggle}
      aria-label={label}
    />
  );
}
