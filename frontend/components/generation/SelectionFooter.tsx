import { Button } from "@/components/ui/Button";
import { money } from "@/lib/format";

/** "Selected: X of Y", the cost of all the `assets`, and the action that moves the choice to the mood board.
 * It stays at the bottom of the screen while the grid scrolls: on a phone the grid is one long column. */
export function SelectionFooter({
  selected,
  assets,
  noun,
  minimum,
  busy,
  onSubmit,
  action = "Add to Mood Board",
  disabled = false,
}: {
  selected: number;
  /** Every generated image or clip the choice is made from. */
  assets: { cost: number }[];
  noun: string;
  minimum: number;
  busy: boolean;
  onSubmit: () => void;
  /** The button's words: where the choice goes ("Add to Mood Board", "Add to Clip Board"). */
  action?: string;
  /** A stage is running: nothing can be saved until it ends. */
  disabled?: boolean;
}) {
  const short = selected < minimum;
  const cost = assets.reduce((sum, asset) => sum + asset.cost, 0);
  return (
    <div className="selection-footer sticky bottom-3 z-20 mt-6 flex flex-wrap items-center justify-between gap-4 rounded-2xl border border-slate-200 bg-white/95 px-4 py-4 sm:px-5 shadow-card backdrop-blur">
      <div>
        <p className="text-sm font-semibold text-slate-900" aria-live="polite">
          Selected: {selected} of {assets.length} {noun}
        </p>
        <p className="text-xs text-slate-500">
          Total cost: {money(cost)}
          {short && ` · select at least ${minimum} to continue`}
        </p>
      </div>
      <Button size="lg" onClick={onSubmit} disabled={short || disabled} loading={busy}>
        {action} ({selected})
      </Button>
    </div>
  );
}
