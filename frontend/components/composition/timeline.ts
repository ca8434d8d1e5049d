import type { Session } from "@/lib/types";

export interface Segment {
  kind: "intro" | "clip" | "outro";
  label: string;
  start: number;
  end: number;
  imageUrl?: string;
}

/** The compositor's timeline: intro card, clips in order, outro card, each cross-fading into the next. */
export function buildTimeline(session: Session, introS: number, outroS: number, transitionS: number): Segment[] {
  const clips = session.clip_order
    .map((id) => session.generated_clips.find((c) => c.id === id))
    .filter((c): c is NonNullable<typeof c> => Boolean(c));
  const parts: Omit<Segment, "start" | "end">[] = [];
  const durations: number[] = [];
  parts.push({ kind: "intro", label: "Intro" });
  durations.push(introS);
  clips.forEach((clip, i) => {
    const image = session.generated_images.find((img) => img.id === clip.source_image_id);
    parts.push({ kind: "clip", label: `Clip ${i + 1}`, imageUrl: image?.url });
    durations.push(clip.duration);
  });
  parts.push({ kind: "outro", label: "Outro" });
  durations.push(outroS);

  let t = 0;
  return parts.map((part, i) => {
    const start = i === 0 ? 0 : t - transitionS;
    const end = start + durations[i];
    t = end;
    return { ...part, start, end };
  });
}
