/** What a grid of generated images or clips takes to choose among them. */
export interface AssetGridProps {
  /** The ids of the chosen ones. */
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  /** A stage is running: look, but change nothing. */
  disabled?: boolean;
}
