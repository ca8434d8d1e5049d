/** Dollars to the cent. */
export function money(usd: number | null | undefined): string {
  const v = usd ?? 0;
  if (v === 0) return "$0.00";
  // The offline engines cost fractions of a cent (CPU time); say so rather than show $0.0000.
  if (Math.abs(v) < 0.01) return "<$0.01";
  return `$${v.toFixed(2)}`;
}

export function seconds(s: number, digits = 1): string {
  return `${s.toFixed(digits)}s`;
}

/** 0:03.5 style timestamps for the sequence preview. */
export function timestamp(s: number): string {
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}:${rest.toFixed(1).padStart(4, "0")}`;
}

export function resolutionLabel(resolution: string): string {
  const named: Record<string, string> = {
    "1920x1080": "Full HD",
    "1080x1920": "Full HD, vertical",
    "1080x1080": "square",
    "1280x720": "HD",
    "3840x2160": "4K",
  };
  const name = named[resolution];
  return name ? `${resolution} (${name})` : resolution;
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function titleCase(s: string): string {
  return s.replace(/[_-]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());
}

/** What a final's sound track holds: "Music and voiceover", "Music", "Voiceover" or "None". */
export function audioLabel(final: { has_music?: boolean; voiceover_s?: number }): string {
  const voiced = (final.voiceover_s ?? 0) > 0;
  if (final.has_music) return voiced ? "Music and voiceover" : "Music";
  return voiced ? "Voiceover" : "None";
}
