"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { GridSkeleton, ImageGrid } from "@/components/generation/ImageGrid";
import { PhotoDropZone } from "@/components/generation/PhotoDropZone";
import { ProgressPanel } from "@/components/generation/ProgressPanel";
import { SelectionFooter } from "@/components/generation/SelectionFooter";
import { StageFailure } from "@/components/generation/StageFailure";
import { StyleChips } from "@/components/generation/StyleChips";
import { ScreenLayout } from "@/components/session/ScreenLayout";
import { useSession } from "@/components/session/SessionProvider";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Disclosure } from "@/components/ui/Disclosure";
import { FieldLabel, PromptField } from "@/components/ui/Field";
import { ActionProblem } from "@/components/ui/ProblemNotice";
import { call } from "@/lib/api";
import { loopApi } from "@/lib/loop";
import { runningStage, screenPath } from "@/lib/screens";
import type { Session, ViewType } from "@/lib/types";
import { useActionError } from "@/lib/useActionError";
import { useSelection } from "@/hooks/useSelection";

const PROMPT_MAX = 200;

/** Screen 2: the product prompt, live progress, then the generated images to choose from. */
export function ImagesScreen({ session }: { session: Session }) {
  const { api, refresh } = useSession();
  const router = useRouter();
  const [prompt, setPrompt] = useState(session.product_prompt ?? "");
  const [count, setCount] = useState(6);
  const [styles, setStyles] = useState<string[]>(session.style_keywords.length ? session.style_keywords : ["professional", "studio"]);
  const [selected, toggle] = useSelection(session.approved_images);
  const [busy, setBusy] = useState<"generate" | "save" | null>(null);
  const { error, setError, attempt } = useActionError();

  const images = session.generated_images;
  const running = runningStage(session);
  // Any idle session can start a new round: the prompt is editable again and earlier images stay.
  const editable = running === null;
  const generating = running === "image_generation";
  const canUpload = editable;
  const hasGenerated = images.some((i) => i.source !== "upload");

  async function regenerate(imageId: string, edited?: string) {
    await attempt(async () => {
      await loopApi(api, session.id).regenerateImage(imageId, edited ? { prompt: edited } : {});
      await refresh();
    });
  }

  async function generate(event: React.FormEvent) {
    event.preventDefault();
    await attempt(
      async () => {
        await call(
          api.POST("/api/generate-images", {
            body: { session_id: session.id, product_prompt: prompt.trim(), num_images: count, style_keywords: styles },
          }),
        );
        await refresh();
      },
      (running) => setBusy(running ? "generate" : null),
    );
  }

  async function addToMoodBoard() {
    // Busy until the next screen opens: only a failure frees the button.
    setBusy("save");
    const saved = await attempt(async () => {
      const ids = images.map((i) => i.id).filter((id) => selected.has(id));
      await call(api.POST("/api/save-approved-images", { body: { session_id: session.id, approved_image_ids: ids } }));
      await refresh();
      router.push(screenPath(session.id, "image-board"));
    });
    if (!saved) setBusy(null);
  }

  async function setView(id: string, view: ViewType) {
    await attempt(async () => {
      await call(
        api.PATCH("/api/sessions/{session_id}/images/{image_id}", {
          params: { path: { session_id: session.id, image_id: id } },
          body: { view_type: view },
        }),
      );
      await refresh();
    });
  }

  return (
    <ScreenLayout
      screen="images"
      session={session}
      title="Generate Product Images"
      subtitle="Describe the product once; every view is rendered with the same seed so it stays the same product."
    >
      <div className="space-y-6">
        <Card className="p-6">
          <form onSubmit={generate} className="space-y-5">
            <PromptField
              id="product_prompt"
              label="Describe your product..."
              max={PROMPT_MAX}
              placeholder="pink tennis shoes with white laces"
              value={prompt}
              onChange={setPrompt}
              disabled={!editable}
            />
            <Disclosure open={editable && !hasGenerated} summary="Advanced options">
              <div className="space-y-5 border-t border-slate-200 px-4 py-4">
                <div>
                  <FieldLabel htmlFor="num_images" aside={<output htmlFor="num_images">{count} images</output>}>
                    Number of images
                  </FieldLabel>
                  <input
                    id="num_images"
                    name="num_images"
                    type="range"
                    min={4}
                    max={8}
                    step={1}
                    value={count}
                    onChange={(e) => setCount(Number(e.target.value))}
                    disabled={!editable}
                    className="w-full accent-brand-600"
                  />
                  <div className="mt-1 flex justify-between text-xs text-slate-400" aria-hidden="true">
                    {[4, 5, 6, 7, 8].map((n) => (
                      <span key={n}>{n}</span>
                    ))}
                  </div>
                </div>
                <StyleChips value={styles} onChange={setStyles} disabled={!editable} />
              </div>
            </Disclosure>
            {editable && (
              <div className="flex flex-wrap items-center justify-end gap-3">
                {hasGenerated && (
                  <p className="mr-auto text-xs text-slate-500">
                    A new set joins the images below; nothing you have is lost or bought again.
                  </p>
                )}
                {hasGenerated && prompt.trim() === (session.product_prompt ?? "").trim() && (
                  <Button type="submit" variant="secondary" size="lg" loading={busy === "generate"} disabled={!prompt.trim()}>
                    Add {count} images
                  </Button>
                )}
                {!(hasGenerated && prompt.trim() === (session.product_prompt ?? "").trim()) && (
                  <Button type="submit" size="lg" loading={busy === "generate"} disabled={!prompt.trim()}>
                    {hasGenerated ? "Generate a new set" : "Generate Images"}
                  </Button>
                )}
              </div>
            )}
          </form>
        </Card>

        {canUpload && <PhotoDropZone sessionId={session.id} />}

        <ActionProblem error={error} onDismiss={() => setError(null)} />
        <StageFailure session={session} />
        {generating && <ProgressPanel session={session} title="Generating your images" />}
        {generating && images.length === 0 && <GridSkeleton count={count} />}

        {images.length > 0 && (
          <section aria-label="Generated images">
            <ImageGrid
              images={images}
              selected={selected}
              onToggle={toggle}
              onViewChange={setView}
              onRegenerate={regenerate}
              disabled={!editable}
            />
            <SelectionFooter
              selected={selected.size}
              assets={images}
              noun="images"
              minimum={2}
              busy={busy === "save"}
              disabled={!editable}
              onSubmit={addToMoodBoard}
            />
          </section>
        )}
      </div>
    </ScreenLayout>
  );
}
