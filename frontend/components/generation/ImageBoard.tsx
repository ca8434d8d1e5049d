"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { BackLink } from "@/components/generation/BackLink";
import { ScreenLayout } from "@/components/session/ScreenLayout";
import { useSession } from "@/components/session/SessionProvider";
import { Badge } from "@/components/ui/Badge";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ActionProblem } from "@/components/ui/ProblemNotice";
import { call } from "@/lib/api";
import { absoluteUrl, useConfig } from "@/lib/config";
import { money, titleCase } from "@/lib/format";
import { runningStage, screenPath } from "@/lib/screens";
import type { Session } from "@/lib/types";
import { useActionError } from "@/lib/useActionError";

/** Screen 3: the approved images, large, each removable (two must stay: one clip per image). */
export function ImageBoard({ session }: { session: Session }) {
  const { api, refresh } = useSession();
  const { apiUrl } = useConfig();
  const router = useRouter();
  const [removing, setRemoving] = useState<string | null>(null);
  const { error, setError, attempt } = useActionError();
  const approved = session.approved_images
    .map((id) => session.generated_images.find((i) => i.id === id))
    .filter((i): i is NonNullable<typeof i> => Boolean(i));
  const canRemove = approved.length > 2 && runningStage(session) === null;

  async function remove(id: string) {
    await attempt(
      async () => {
        const ids = approved.map((i) => i.id).filter((x) => x !== id);
        await call(api.POST("/api/save-approved-images", { body: { session_id: session.id, approved_image_ids: ids } }));
        await refresh();
      },
      (running) => setRemoving(running ? id : null),
    );
  }

  return (
    <ScreenLayout
      screen="image-board"
      session={session}
      title="Mood Board - Product Images"
      subtitle={`${approved.length} images approved. Each one becomes a video clip in the next step.`}
      aside={
        <Card className="p-5">
          <p className="text-sm text-slate-600">Happy with the look? Describe the scene your product appears in next.</p>
          <Button size="lg" wrap className="mt-4 w-full" onClick={() => router.push(screenPath(session.id, "clips"))}>
            Continue to Video Prompt
          </Button>
        </Card>
      }
    >
      <ActionProblem error={error} onDismiss={() => setError(null)} className="mb-4" />
      <ul className="mood-board grid gap-5 sm:grid-cols-2" aria-label="Approved images">
        {approved.map((image, i) => (
          <li key={image.id} className="mood-card overflow-hidden rounded-2xl border border-slate-200 bg-white shadow-card">
            {/* eslint-disable-next-line @next/next/no-img-element -- signed gateway URLs */}
            <img src={absoluteUrl(apiUrl, image.url)} alt={`Approved image ${i + 1}: ${image.view_type} view`} className="aspect-square w-full object-cover" />
            <div className="flex items-center justify-between gap-3 px-4 py-3">
              <div className="flex items-center gap-2">
                <Badge tone="brand">{titleCase(image.view_type)}</Badge>
                <span className="text-sm tabular-nums text-slate-500">{money(image.cost)}</span>
              </div>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => remove(image.id)}
                loading={removing === image.id}
                disabled={!canRemove || removing !== null}
                title={canRemove ? undefined : approved.length > 2 ? "Wait for the running step to finish" : "Keep at least 2 images on the mood board"}
                aria-label={`Remove image ${i + 1} (${image.view_type} view)`}
              >
                Remove
              </Button>
            </div>
          </li>
        ))}
      </ul>
      <BackLink question="Changed your mind?" href={screenPath(session.id, "images")}>
        Back to all images
      </BackLink>
    </ScreenLayout>
  );
}
