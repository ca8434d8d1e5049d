"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import { GridSkeleton } from "@/components/generation/ImageGrid";
import { ProgressPanel } from "@/components/generation/ProgressPanel";
import { SelectionFooter } from "@/components/generation/SelectionFooter";
import { StageFailure } from "@/components/generation/StageFailure";
import { StoryboardEditor } from "@/components/generation/Storyboard";
import { VideoGrid } from "@/components/generation/VideoGrid";
import { ScreenLayout } from "@/components/session/ScreenLayout";
import { useSession } from "@/components/session/SessionProvider";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Disclosure } from "@/components/ui/Disclosure";
import { PromptField, SelectField } from "@/components/ui/Field";
import { ActionProblem } from "@/components/ui/ProblemNotice";
import { call } from "@/lib/api";
import { absoluteUrl, useConfig } from "@/lib/config";
import { money, titleCase } from "@/lib/format";
import { loopApi, storyboardOf } from "@/lib/loop";
import { runningStage, screenPath } from "@/lib/screens";
import type { Session, Shot, Storyboard, VideoModel } from "@/lib/types";
import { useActionError } from "@/lib/useActionError";
import { useEngines } from "@/lib/useEngines";
import { useSelection } from "@/hooks/useSelection";

const PROMPT_MAX = 300;
const DURATIONS = [2, 3, 4];

/** Screen 4: the scene prompt with the approved images for reference, progress, then the clips. */
export function ClipsScreen({ session }: { session: Session }) {
  const { api, refresh } = useSession();
  const { apiUrl } = useConfig();
  const router = useRouter();
  const saved = storyboardOf(session);
  const [prompt, setPrompt] = useState(session.video_prompt ?? saved?.video_prompt ?? "");
  const [duration, setDuration] = useState(saved?.clip_duration ?? 3);
  const [selected, toggle] = useSelection(session.approved_clips);
  const [busy, setBusy] = useState<"generate" | "plan" | "save" | null>(null);
  const busyAs = (action: "generate" | "plan") => (running: boolean) => setBusy(running ? action : null);
  const { error, setError, attempt } = useActionError();
  const [board, setBoard] = useState<Storyboard | null>(saved);
  const [shots, setShots] = useState<Shot[]>(saved?.shots ?? []);
  const [planState, setPlanState] = useState<"saving" | "saved" | "unsaved" | null>(null);
  const pending = useRef<Shot[] | null>(null);
  // Offered only where clips are made online, each at its list price (GET /api/engines).
  const videoModels = useEngines(api)?.video_models ?? [];
  const [videoModel, setVideoModel] = useState<VideoModel>(session.video_model ?? "");

  const running = runningStage(session);
  const references = session.approved_images
    .map((id) => session.generated_images.find((i) => i.id === id))
    .filter((i): i is NonNullable<typeof i> => Boolean(i));
  const editable = running === null && references.length >= 2;
  const generating = running === "clip_generation";
  const clips = session.generated_clips;
  // The saved plan is for this scene text and length; after changing either, it is planned again.
  const planFits = board !== null && (board.video_prompt ?? "").trim() === prompt.trim() && board.clip_duration === duration;
  // The clips the next generate makes: the shots without one, or every shot for a new plan or model.
  const sameModel = (videoModel || "wan-2.2-fast") === (session.video_model || "wan-2.2-fast");
  const toMake = planFits && sameModel ? shots.filter((shot) => !shot.clip_id).length : shots.length;

  // The plan on the server (another tab, a reload) replaces ours when nothing here is unsaved.
  const savedKey = JSON.stringify(saved ?? null);
  useEffect(() => {
    if (pending.current || !saved) return;
    setBoard(saved);
    setShots(saved.shots);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- follows the plan's content
  }, [savedKey]);

  const loop = loopApi(api, session.id);

  async function flushPlan(): Promise<void> {
    const next = pending.current;
    if (!next) return;
    setPlanState("saving");
    const reply = await loop.saveStoryboard(next);
    if (pending.current === next) pending.current = null;
    setBoard(reply);
    setPlanState("saved");
  }

  // Shot edits are saved after a pause, and before clips are generated from them.
  const shotsKey = JSON.stringify(shots);
  useEffect(() => {
    if (!pending.current) return;
    setPlanState("unsaved");
    const timer = setTimeout(() => {
      flushPlan().catch((err) => {
        setPlanState("unsaved");
        setError(err);
      });
    }, 600);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- saves the latest edit
  }, [shotsKey]);

  function editShots(next: Shot[]) {
    pending.current = next;
    setShots(next);
  }

  async function plan(): Promise<Storyboard> {
    pending.current = null;
    const reply = await loop.planStoryboard({ video_prompt: prompt.trim(), clip_duration: duration });
    setBoard(reply);
    setShots(reply.shots);
    setPlanState(null);
    return reply;
  }

  async function planShots() {
    await attempt(async () => {
      await plan();
      void refresh();
    }, busyAs("plan"));
  }

  async function generate(event: React.FormEvent) {
    event.preventDefault();
    await attempt(async () => {
      // Clips follow the storyboard on screen: edits saved, and a plan made for changed scene text.
      if (board && !planFits) await plan();
      else await flushPlan();
      await call(
        api.POST("/api/generate-clips", {
          body: {
            session_id: session.id,
            video_prompt: prompt.trim(),
            clip_duration: duration,
            video_model: videoModel,
          },
        }),
      );
      await refresh();
    }, busyAs("generate"));
  }

  async function regenerateClip(clipId: string, change: Partial<Shot>) {
    await attempt(async () => {
      await loop.regenerateClip(clipId, {
        scene_prompt: change.scene_prompt,
        camera_movement: change.camera_movement,
        motion_intensity: change.motion_intensity,
        duration: change.duration,
      });
      await refresh();
    });
  }

  async function addToMoodBoard() {
    // Busy until the next screen opens: only a failure frees the buttons.
    setBusy("save");
    const saved = await attempt(async () => {
      // Keep an existing order for clips still chosen, then append newly chosen ones.
      const previous = session.clip_order.filter((id) => selected.has(id));
      const added = clips.map((c) => c.id).filter((id) => selected.has(id) && !previous.includes(id));
      const order = [...previous, ...added];
      await call(
        api.POST("/api/save-approved-clips", {
          body: { session_id: session.id, approved_clip_ids: order, clip_order: order },
        }),
      );
      await refresh();
      router.push(screenPath(session.id, "clip-board"));
    });
    if (!saved) setBusy(null);
  }

  return (
    <ScreenLayout
      screen="clips"
      session={session}
      title="Generate Video Clips"
      subtitle="One clip per approved image, each following the scene you describe."
    >
      <div className="space-y-6">
        <Card className="p-4 sm:p-6">
          <Disclosure className="reference-images mb-5" summary={`Reference images (${references.length})`}>
            <ul className="flex flex-wrap gap-3 border-t border-slate-200 px-4 py-4">
              {references.map((image) => (
                <li key={image.id}>
                  {/* eslint-disable-next-line @next/next/no-img-element -- signed gateway URLs */}
                  <img
                    src={absoluteUrl(apiUrl, image.url)}
                    alt={`Reference: ${image.view_type} view`}
                    className="h-20 w-20 rounded-lg object-cover ring-1 ring-slate-200"
                  />
                  <span className="mt-1 block text-center text-xs text-slate-500">{titleCase(image.view_type)}</span>
                </li>
              ))}
            </ul>
          </Disclosure>
          <form onSubmit={generate} className="space-y-5">
            <PromptField
              id="video_prompt"
              label="Describe the scene/action..."
              max={PROMPT_MAX}
              placeholder="girl running in sun, outdoor track, golden hour lighting"
              value={prompt}
              onChange={setPrompt}
              disabled={!editable}
            />
            <div className="flex flex-wrap items-end gap-4 sm:gap-6">
              <SelectField
                id="clip_duration"
                name="clip_duration"
                label="Clip duration"
                className="w-40"
                value={duration}
                onChange={(e) => setDuration(Number(e.target.value))}
                disabled={!editable}
              >
                {DURATIONS.map((d) => (
                  <option key={d} value={d}>
                    {d}s
                  </option>
                ))}
              </SelectField>
              {videoModels.length > 0 && (
                <SelectField
                  id="video_model"
                  name="video_model"
                  label="Video model"
                  className="w-full sm:w-96"
                  value={videoModel}
                  onChange={(e) => setVideoModel(e.target.value as VideoModel)}
                  disabled={!editable}
                  hint="Animates each approved image following its shot. Choosing another model makes the clips again."
                >
                  {videoModels.map((m) => (
                    // The default is Wan 2.2 fast, whether the session names it or leaves it blank.
                    <option key={m.id} value={m.id === "" && videoModel === "wan-2.2-fast" ? videoModel : m.id}>
                      {m.label} · about {money(m.usd_per_clip)} a clip
                    </option>
                  ))}
                </SelectField>
              )}
              <div className="pb-2.5 text-sm text-slate-600">
                Number of clips: <span className="font-semibold text-slate-900">Auto · {references.length}</span>{" "}
                <span className="text-slate-400">(one per approved image)</span>
              </div>
              {editable && (
                <div className="ml-auto flex flex-wrap gap-3">
                  <Button
                    type="button"
                    variant="secondary"
                    size="lg"
                    loading={busy === "plan"}
                    disabled={prompt.trim().length < 10 || busy !== null}
                    onClick={() => void planShots()}
                  >
                    {board ? "Plan the shots again" : "Plan the shots"}
                  </Button>
                  <Button type="submit" size="lg" loading={busy === "generate"} disabled={!prompt.trim() || busy !== null}>
                    Generate Clips
                  </Button>
                </div>
              )}
            </div>
          </form>
        </Card>

        {board && shots.length > 0 && (
          <>
            {!planFits && (
              <p className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status">
                The scene text or clip length changed: the shots are planned again when you generate the clips.
              </p>
            )}
            <StoryboardEditor
              session={session}
              storyboard={board}
              videoModel={videoModel}
              shots={shots}
              disabled={!editable}
              saving={planState}
              onChange={editShots}
            />
            {editable && toMake > 0 && (
              // The storyboard is long on a phone: its own way to go on, where the last shot was edited.
              <div className="storyboard-actions flex justify-end">
                <Button type="button" size="lg" loading={busy === "generate"} disabled={!prompt.trim() || busy !== null} onClick={(e) => void generate(e)}>
                  Generate the {toMake} {toMake === 1 ? "clip" : "clips"}
                </Button>
              </div>
            )}
          </>
        )}

        <ActionProblem error={error} onDismiss={() => setError(null)} />
        <StageFailure session={session} />
        {generating && <ProgressPanel session={session} title="Generating your clips" />}
        {generating && clips.length === 0 && <GridSkeleton count={references.length} aspect="aspect-video" />}

        {clips.length > 0 && (
          <section aria-label="Generated clips">
            <VideoGrid clips={clips} selected={selected} onToggle={toggle} onRegenerate={regenerateClip} disabled={running !== null} />
            <SelectionFooter
              selected={selected.size}
              assets={clips}
              noun="clips"
              minimum={1}
              busy={busy === "save"}
              disabled={running !== null}
              onSubmit={addToMoodBoard}
              action="Add to Clip Board"
            />
          </section>
        )}
      </div>
    </ScreenLayout>
  );
}
