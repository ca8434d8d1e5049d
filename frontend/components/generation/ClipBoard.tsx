"use client";

import {
  type Announcements,
  closestCenter,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import {
  arrayMove,
  rectSortingStrategy,
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
} from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { DurationWarning } from "@/components/composition/DurationWarning";
import { BackLink } from "@/components/generation/BackLink";
import { ClipPlayer } from "@/components/generation/VideoGrid";
import { ScreenLayout } from "@/components/session/ScreenLayout";
import { useSession } from "@/components/session/SessionProvider";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ActionProblem } from "@/components/ui/ProblemNotice";
import { cardsToFit, composedLength, DEFAULT_CARDS, TARGET_MAX_S, TARGET_MIN_S, type Cards } from "@/components/composition/timeline";
import { call } from "@/lib/api";
import { money, seconds } from "@/lib/format";
import { draftOf, loopApi } from "@/lib/loop";
import { runningStage, screenPath } from "@/lib/screens";
import type { Session, VideoAsset } from "@/lib/types";
import { useActionError } from "@/lib/useActionError";

/** The card lengths the finishing draft holds (the compose call's defaults until changed). */
export function draftCards(session: Session): Cards {
  const draft = draftOf(session);
  return {
    intro: draft?.intro_duration ?? DEFAULT_CARDS.intro,
    outro: draft?.outro_duration ?? DEFAULT_CARDS.outro,
    transition: draft?.transition_duration ?? DEFAULT_CARDS.transition,
  };
}

/** What a clip shows, in words: its own shot, else the session's scene. */
export function clipScene(session: Session, clip: VideoAsset): string {
  return clip.scene_prompt || session.video_prompt || "";
}

function SortableClip({
  clip,
  index,
  count,
  onMove,
  onRemove,
  canRemove,
  disabled,
}: {
  clip: VideoAsset;
  index: number;
  count: number;
  onMove: (from: number, to: number) => void;
  onRemove: () => void;
  canRemove: boolean;
  disabled: boolean;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: clip.id,
    disabled,
  });
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      className={clsx(
        "board-clip overflow-hidden rounded-2xl border bg-white shadow-card",
        isDragging ? "z-10 border-brand-400 shadow-xl ring-4 ring-brand-200" : "border-slate-200",
      )}
      data-clip-id={clip.id}
    >
      <ClipPlayer clip={clip} label={`clip ${index + 1}`} className="aspect-video" />
      <div className="flex flex-wrap items-center gap-2 px-3 py-2.5">
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="drag-handle flex h-8 w-8 cursor-grab touch-none items-center justify-center rounded-md text-slate-400 hover:bg-slate-100 hover:text-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-600 active:cursor-grabbing"
          aria-label={`Drag to reorder clip ${index + 1} (Space to pick up, arrows to move)`}
          {...attributes}
          {...listeners}
        >
          <svg viewBox="0 0 20 20" className="h-5 w-5" fill="currentColor" aria-hidden="true">
            <circle cx="7" cy="5" r="1.5" />
            <circle cx="13" cy="5" r="1.5" />
            <circle cx="7" cy="10" r="1.5" />
            <circle cx="13" cy="10" r="1.5" />
            <circle cx="7" cy="15" r="1.5" />
            <circle cx="13" cy="15" r="1.5" />
          </svg>
        </button>
        <span className="text-sm font-semibold text-slate-900">#{index + 1}</span>
        <Badge>{seconds(clip.duration)}</Badge>
        <span className="text-xs tabular-nums text-slate-500">{money(clip.cost)}</span>
        {clip.stale && (
          <Badge tone="amber" className="stale-badge" >
            Made from an image you removed
          </Badge>
        )}
        <div className="ml-auto flex items-center">
          <Button size="sm" variant="ghost" aria-label={`Move clip ${index + 1} earlier`} disabled={disabled || index === 0} onClick={() => onMove(index, index - 1)}>
            ←
          </Button>
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Move clip ${index + 1} later`}
            disabled={disabled || index === count - 1}
            onClick={() => onMove(index, index + 1)}
          >
            →
          </Button>
          <Button size="sm" variant="ghost" onClick={onRemove} disabled={disabled || !canRemove} aria-label={`Remove clip ${index + 1}`}>
            Remove
          </Button>
        </div>
      </div>
    </li>
  );
}

/** Screen 5: the kept clips in playing order; drag (or use the keyboard) to reorder. */
export function ClipBoard({ session }: { session: Session }) {
  const { api, refresh } = useSession();
  const router = useRouter();
  const [fitting, setFitting] = useState(false);
  const [order, setOrder] = useState<string[]>(session.clip_order);
  const [saving, setSaving] = useState(false);
  const { error, setError, attempt } = useActionError();
  const orderKey = session.clip_order.join(",");
  useEffect(() => setOrder(orderKey ? orderKey.split(",") : []), [orderKey]);

  const clips = order
    .map((id) => session.generated_clips.find((c) => c.id === id))
    .filter((c): c is VideoAsset => Boolean(c));
  // The same length the compositor will make: intro + clips + outro - the cross-fades' overlap.
  const cards = draftCards(session);
  const clipS = clips.map((c) => c.duration);
  const total = clips.length ? composedLength(clipS, cards) : 0;
  const outside = clips.length > 0 && (total < TARGET_MIN_S || total > TARGET_MAX_S);
  const fit = outside ? cardsToFit(clipS, cards) : null;
  const running = runningStage(session) !== null;
  const describe = (id: string | number) => {
    const i = order.indexOf(String(id));
    const clip = clips[i];
    if (!clip) return "a clip";
    const scene = clipScene(session, clip);
    return `clip ${i + 1} of ${clips.length}${scene ? `, ${scene}` : ""}`;
  };
  const position = (id: string | number) => `position ${order.indexOf(String(id)) + 1} of ${clips.length}`;
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${describe(active.id)}.`,
    onDragOver: ({ active, over }) =>
      over ? `${describe(active.id)} is over ${position(over.id)}.` : `${describe(active.id)} is no longer over a position.`,
    onDragEnd: ({ active, over }) =>
      over ? `${describe(active.id)} was dropped at ${position(over.id)}.` : `${describe(active.id)} was dropped.`,
    onDragCancel: ({ active }) => `Moving was cancelled. ${describe(active.id)} went back to where it was.`,
  };

  async function fitCards(next: Cards) {
    await attempt(async () => {
      await loopApi(api, session.id).saveComposition({
        ...(draftOf(session) ?? {}),
        intro_duration: next.intro,
        outro_duration: next.outro,
        transition_duration: next.transition,
      });
      await refresh();
    }, setFitting);
  }
  const imagesCost = session.generated_images.reduce((s, i) => s + i.cost, 0);
  const clipsCost = session.generated_clips.reduce((s, c) => s + c.cost, 0);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  async function save(next: string[]) {
    const before = order;
    setOrder(next); // optimistic: the board moves at once, the server confirms
    const saved = await attempt(async () => {
      await call(
        api.POST("/api/save-approved-clips", { body: { session_id: session.id, approved_clip_ids: next, clip_order: next } }),
      );
      await refresh();
    }, setSaving);
    if (!saved) setOrder(before);
  }

  function onDragEnd(event: DragEndEvent) {
    const { active, over } = event;
    if (!over || active.id === over.id) return;
    void save(arrayMove(order, order.indexOf(String(active.id)), order.indexOf(String(over.id))));
  }

  return (
    <ScreenLayout
      screen="clip-board"
      session={session}
      title="Mood Board - Video Clips"
      subtitle="Drag clips by their handle to set the order they play in."
      aside={
        <Card className="p-5">
          <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Estimated final duration</p>
          <p className="estimated-duration mt-1 text-2xl font-semibold tabular-nums text-slate-900">{total.toFixed(1)} seconds</p>
          <p className="mt-1 text-xs text-slate-500">
            {clips.length} {clips.length === 1 ? "clip" : "clips"} + {cards.intro.toFixed(1)} s intro and {cards.outro.toFixed(1)} s outro cards,
            {" "}{cards.transition.toFixed(1)} s cross-fades
          </p>
          {outside && (
            <DurationWarning total={total} className="mt-3">
              {fit && (
                <Button size="sm" variant="secondary" wrap className="mt-2" loading={fitting} onClick={() => void fitCards(fit)}>
                  Make the cards {fit.intro.toFixed(1)} s and {fit.outro.toFixed(1)} s ({composedLength(clipS, fit).toFixed(1)} s)
                </Button>
              )}
              <p className="mt-2">
                <Link href={screenPath(session.id, "clips")} className="font-medium text-amber-900 underline">
                  {total < TARGET_MIN_S ? "Keep more clips or make them longer" : "Keep fewer clips or make them shorter"}
                </Link>
              </p>
            </DurationWarning>
          )}
          <p className="mt-3 text-sm text-slate-600">
            Images: {money(imagesCost)} | Clips: {money(clipsCost)}
          </p>
          <Button size="lg" wrap className="mt-4 w-full" disabled={saving || running || clips.length === 0} onClick={() => router.push(screenPath(session.id, "finish"))}>
            Continue to Final Composition
          </Button>
        </Card>
      }
    >
      <ActionProblem error={error} onDismiss={() => setError(null)} className="mb-4" />
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragEnd={onDragEnd}
        accessibility={{
          announcements,
          screenReaderInstructions: {
            draggable:
              "To move a clip, press Space or Enter to pick it up. Use the arrow keys to move it, Space or Enter to drop it, Escape to cancel.",
          },
        }}
      >
        <SortableContext items={order} strategy={rectSortingStrategy}>
          <ol className="clip-board grid gap-5 sm:grid-cols-2" aria-label="Clips in playing order" aria-busy={saving}>
            {clips.map((clip, i) => (
              <SortableClip
                key={clip.id}
                clip={clip}
                index={i}
                count={clips.length}
                disabled={saving || running}
                canRemove={clips.length > 1}
                onMove={(from, to) => void save(arrayMove(order, from, to))}
                onRemove={() => void save(order.filter((id) => id !== clip.id))}
              />
            ))}
          </ol>
        </SortableContext>
      </DndContext>
      <BackLink question="Want different clips?" href={screenPath(session.id, "clips")}>
        Back to all clips
      </BackLink>
    </ScreenLayout>
  );
}
