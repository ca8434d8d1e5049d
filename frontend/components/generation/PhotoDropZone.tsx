"use client";

import clsx from "clsx";
import { useRef, useState } from "react";

import { useSession } from "@/components/session/SessionProvider";
import { Button } from "@/components/ui/Button";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { ProgressBar } from "@/components/ui/ProgressBar";
import { describeUploadFailure, type Problem } from "@/lib/errors";
import { useFormUpload } from "@/lib/upload";

const ACCEPT = "image/png,image/jpeg,image/webp";
const TYPES = new Set(ACCEPT.split(","));

/** What went wrong with an upload, in words a person can act on (the gateway names the file). */
export function describeUploadProblem(status: number, detail: string): Problem {
  // 'files[1] "a.gif": is not ...' -> '"a.gif" is not ...'
  const words = detail.replace(/files\[\d+\]\s*("[^"]*")?:?\s*/g, (_, name?: string) => (name ? `${name} ` : "")).replace(/^\w/, (c) => c.toUpperCase());
  return describeUploadFailure(status, words, {
    413: { title: "That photo is too large", detail: `${words}. Try a smaller export of it.` },
    415: "That file is not a photo we can use",
    409: "Photos can't be added right now",
    422: "That photo can't be used",
  });
}

/**
 * Drop product photos here, or pick them (a real button, so Tab + Enter works). Uploads with
 * progress; refusals are shown in plain words and nothing partial is stored.
 */
export function PhotoDropZone({ sessionId }: { sessionId: string }) {
  const { account, refresh } = useSession();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const { percent, problem, setProblem, send } = useFormUpload(account.token, describeUploadProblem);
  const [done, setDone] = useState<string | null>(null);

  async function upload(files: File[]) {
    if (!files.length || percent !== null) return;
    const wrong = files.filter((f) => f.type && !TYPES.has(f.type));
    if (wrong.length) {
      // The server checks the content anyway; this only saves sending what is clearly not a photo.
      setProblem(describeUploadProblem(415, `"${wrong[0].name}" is a ${wrong[0].type || "unknown"} file`));
      return;
    }
    const form = new FormData();
    for (const f of files) form.append("files", f, f.name);
    setDone(null);
    if (!(await send(`/api/sessions/${sessionId}/images`, form))) return;
    setDone(`${files.length} photo${files.length === 1 ? "" : "s"} added.`);
    await refresh();
  }

  return (
    <section aria-label="Your own product photos" className="space-y-3">
      <div
        className={clsx(
          "photo-drop-zone flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed px-6 py-8 text-center transition",
          over ? "border-brand-500 bg-brand-50" : "border-slate-300 bg-white",
        )}
        data-dragging={over}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void upload(Array.from(e.dataTransfer.files));
        }}
      >
        <p className="text-sm font-medium text-slate-700">Have your own product photos? Drop them here</p>
        <p className="text-xs text-slate-500">PNG, JPEG or WebP. They join the generated images and cost nothing.</p>
        <Button variant="secondary" onClick={() => input.current?.click()} loading={percent !== null}>
          Choose photos
        </Button>
        <input
          ref={input}
          type="file"
          name="photos"
          accept={ACCEPT}
          multiple
          className="sr-only"
          tabIndex={-1}
          aria-label="Product photos to upload"
          onChange={(e) => {
            void upload(Array.from(e.target.files ?? []));
            e.target.value = "";
          }}
        />
      </div>
      {percent !== null && <ProgressBar value={percent} label="Uploading photos" />}
      {done && (
        <p role="status" className="upload-status text-sm text-emerald-700">
          {done}
        </p>
      )}
      {problem && <ProblemNotice problem={problem} onDismiss={() => setProblem(null)} />}
    </section>
  );
}
