import type { Session } from "@/lib/types";

export interface Segment {
  kind: "intro" | "clip" | "outro";
  label: string;
  start: number;
  end: number;
  imageUrl?: string;
}

// The compositor's clock (services/compositor/timeline.py): every length is rounded to whole frames.
const FPS = 30;
const frames = (s: number) => Math.round(s * FPS);

/** The card lengths and cross-fade the compose call uses (the gateway's defaults unless changed). */
export interface Cards {
  intro: number;
  outro: number;
  transition: number;
}

export const DEFAULT_CARDS: Cards = { intro: 1, outro: 1, transition: 0.3 };
/** The ad length the PRD asks for. */
export const TARGET_MIN_S = 8;
export const TARGET_MAX_S = 12;
export const CARD_MIN_S = 0.5;
export const CARD_MAX_S = 3;

/** The kept clips in playing order. */
export function orderedClips(session: Session) {
  return session.clip_order
    .map((id) => session.generated_clips.find((c) => c.id === id))
    .filter((c): c is NonNullable<typeof c> => Boolean(c));
}

/**
 * Segment starts and ends exactly as the compositor computes them: intro, clips, outro, each
 * overlapping the one before by one transition, on the 30 fps frame grid.
 */
function frameTimeline(segmentS: number[], transitionS: number): { start: number; end: number }[] {
  const t = frames(transitionS);
  let at = 0;
  return segmentS.map((s, i) => {
    const n = i === 0 || i === segmentS.length - 1 ? frames(s) : Math.max(1, frames(s));
    const seg = { start: at / FPS, end: (at + n) / FPS };
    at += n - t;
    return seg;
  });
}

/** The composed ad's length in seconds: intro + clips + outro - the cross-fades' overlap. */
export function composedLength(clipS: number[], cards: Cards = DEFAULT_CARDS): number {
  const segs = frameTimeline([cards.intro, ...clipS, cards.outro], cards.transition);
  return segs[segs.length - 1].end;
}

/** The compositor's timeline: intro card, clips in order, outro card, each cross-fading into the next. */
export function buildTimeline(session: Session, cards: Cards = DEFAULT_CARDS): Segment[] {
  const clips = orderedClips(session);
  const parts: Omit<Segment, "start" | "end">[] = [{ kind: "intro", label: "Intro" }];
  clips.forEach((clip, i) => {
    const image = session.generated_images.find((img) => img.id === clip.source_image_id);
    parts.push({ kind: "clip", label: `Clip ${i + 1}`, imageUrl: image?.url });
  });
  parts.push({ kind: "outro", label: "Outro" });
  const times = frameTimeline([cards.intro, ...clips.map((c) => c.duration), cards.outro], cards.transition);
  return parts.map((part, i) => ({ ...part, ...times[i] }));
}

/**
 * When the ad falls outside 8-12 s: card lengths (within 0.5-3 s each) that bring it inside, or
 * null when the cards alone cannot (then the clips must change).
 */
export function cardsToFit(clipS: number[], cards: Cards): Cards | null {
  const length = composedLength(clipS, cards);
  if (length >= TARGET_MIN_S && length <= TARGET_MAX_S) return null;
  const target = length < TARGET_MIN_S ? TARGET_MIN_S : TARGET_MAX_S;
  const each = (target - length) / 2;
  const round = (s: number) => Math.round(Math.min(CARD_MAX_S, Math.max(CARD_MIN_S, s)) * 10) / 10;
  // Round away from the middle so the result lands inside the range, not just short of it.
  const nudge = (s: number) => (length < TARGET_MIN_S ? Math.ceil(s * 10) / 10 : Math.floor(s * 10) / 10);
  const next = { ...cards, intro: round(nudge(cards.intro + each)), outro: round(nudge(cards.outro + each)) };
  // The cross-fade must stay shorter than both cards.
  if (next.transition >= Math.min(next.intro, next.outro)) return null;
  const fitted = composedLength(clipS, next);
  return fitted >= TARGET_MIN_S && fitted <= TARGET_MAX_S ? next : null;
}
