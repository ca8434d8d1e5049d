"use client";

import clsx from "clsx";
import { useEffect, useRef, useState } from "react";

import { useSession } from "@/components/session/SessionProvider";
import { Button } from "@/components/ui/Button";
import { inputClass } from "@/components/ui/Field";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { ProgressBar } from "@/components/ui/ProgressBar";
import { call } from "@/lib/api";
import type { components } from "@/lib/api-schema";
import { absoluteUrl, useConfig } from "@/lib/config";
import { describeUploadFailure, type Problem } from "@/lib/errors";
import { useFormUpload } from "@/lib/upload";

type MusicTrack = components["schemas"]["MusicTrack"];
export type MusicSource = "generated" | "upload";

const ACCEPT = "audio/*,.mp3,.wav,.flac,.ogg,.m4a,.aac,.aif,.aiff,.webm";
const MAX_MB = 20;

/** The compose body's audio fields for the music's source (an upload id only with an upload). */
export function musicSourceFields(source: MusicSource, uploadId: string): { source: MusicSource; upload_id: string | null } {
  return { source, upload_id: source === "upload" && uploadId ? uploadId : null };
}

/** 83.4 -> "1:23". */
function minutes(s: number): string {
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** What went wrong with a track upload, in words a person can act on (the gateway names `file`). */
export function describeMusicProblem(status: number, detail: string): Problem {
  const words = detail.replace(/^file:\s*/, "").replace(/^\w/, (c) => c.toUpperCase());
  return describeUploadFailure(status, words, {
    413: { title: "That track is too large", detail: `A track may be at most ${MAX_MB} MB. Try an MP3 of it.` },
    415: "That file is not audio we can use",
    409: "This ad holds as many tracks as it can",
    422: "That track can't be used",
  });
}

/**
 * Where the ad's music comes from: made for the ad (the genre and model below it), or the user's own
 * file, uploaded here with progress and then shown by name and length with a player.
 */
export function MusicSourcePicker({
  sessionId,
  source,
  uploadId,
  onChange,
  disabled,
}: {
  sessionId: string;
  source: MusicSource;
  uploadId: string;
  onChange: (change: { musicSource?: MusicSource; uploadId?: string }) => void;
  disabled?: boolean;
}) {
  const choices: { value: MusicSource; title: string; note: string }[] = [
    { value: "generated", title: "Made for your ad", note: "Pick a genre; the track is made to the ad's length." },
    { value: "upload", title: "Upload your own track", note: "Your song or jingle, trimmed or repeated to fit." },
  ];
  return (
    <div className="space-y-4">
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-slate-800">Music</legend>
        <div className="grid grid-cols-1 gap-3 min-[480px]:grid-cols-2">
          {choices.map((c) => (
            <label
              key={c.value}
              className={clsx(
                "flex cursor-pointer items-start gap-3 rounded-xl px-4 py-3 ring-1 ring-inset transition has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500",
                source === c.value ? "bg-brand-50 ring-brand-500" : "bg-white ring-slate-200 hover:bg-slate-50",
                disabled && "cursor-not-allowed opacity-60",
              )}
            >
              <input
                type="radio"
                name="music-source"
                value={c.value}
                checked={source === c.value}
                onChange={() => onChange({ musicSource: c.value })}
                disabled={disabled}
                className="mt-0.5 h-4 w-4 accent-brand-600"
              />
              <span className="min-w-0 flex-1 text-sm">
                <span className="block font-medium text-slate-900">{c.title}</span>
                <span className="block text-xs text-slate-500">{c.note}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {source === "upload" && <MusicUpload sessionId={sessionId} uploadId={uploadId} onPick={(id) => onChange({ uploadId: id })} disabled={disabled} />}
    </div>
  );
}

/** Upload a track (a real button, so Tab + Enter works), or pick one of the session's earlier uploads. */
export function MusicUpload({
  sessionId,
  uploadId,
  onPick,
  disabled,
}: {
  sessionId: string;
  uploadId: string;
  onPick: (id: string) => void;
  disabled?: boolean;
}) {
  const { api, account } = useSession();
  const { apiUrl } = useConfig();
  const input = useRef<HTMLInputElement>(null);
  const [tracks, setTracks] = useState<MusicTrack[] | null>(null);
  const { percent, problem, setProblem, send } = useFormUpload(account.token, describeMusicProblem);

  useEffect(() => {
    call(api.GET("/api/sessions/{session_id}/music", { params: { path: { session_id: sessionId } } })).then(
      setTracks,
      () => setTracks([]),
    );
  }, [api, sessionId]);

  // Switching to "your own track" with uploads already made picks the newest.
  const newest = tracks?.[0]?.id;
  useEffect(() => {
    if (!uploadId && newest && !disabled) onPick(newest);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when there is nothing chosen
  }, [uploadId, newest]);

  async function upload(file: File | undefined) {
    if (!file || percent !== null) return;
    if (file.size > MAX_MB * 1e6) {
      setProblem(describeMusicProblem(413, ""));
      return;
    }
    const form = new FormData();
    form.append("file", file, file.name);
    const reply = await send(`/api/sessions/${sessionId}/music`, form);
    if (!reply) return;
    const track = reply.body as MusicTrack;
    setTracks((list) => [track, ...(list ?? [])]);
    onPick(track.id);
  }

  const chosen = tracks?.find((t) => t.id === uploadId) ?? null;
  return (
    <section aria-label="Your own music track" className="music-upload space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={() => input.current?.click()} loading={percent !== null} disabled={disabled}>
          {chosen ? "Upload another track" : "Choose a track"}
        </Button>
        <span className="text-xs text-slate-500">MP3, WAV, FLAC, Ogg, M4A or AAC · 1 s to 10 min · up to {MAX_MB} MB</span>
        <input
          ref={input}
          type="file"
          name="music-file"
          accept={ACCEPT}
          className="sr-only"
          tabIndex={-1}
          aria-label="Music track to upload"
          onChange={(e) => {
            void upload(e.target.files?.[0]);
            e.target.value = "";
          }}
        />
      </div>
      {percent !== null && <ProgressBar value={percent} label="Uploading your track" />}
      {problem && <ProblemNotice problem={problem} onDismiss={() => setProblem(null)} />}
      {tracks && tracks.length > 1 && (
        <div>
          <label htmlFor="music-track" className="mb-1 block text-sm font-medium text-slate-800">
            Track
          </label>
          <select
            id="music-track"
            className={inputClass}
            value={uploadId}
            onChange={(e) => onPick(e.target.value)}
            disabled={disabled}
          >
            {!chosen && <option value="">Choose one of your uploads</option>}
            {tracks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({minutes(t.duration)})
              </option>
            ))}
          </select>
        </div>
      )}
      {chosen ? (
        <div className="music-track rounded-xl bg-slate-50 px-4 py-3 text-sm" role="status">
          <p className="font-medium text-slate-900">
            {chosen.name} <span className="font-normal text-slate-500">· {minutes(chosen.duration)}</span>
          </p>
          <p className="mt-0.5 text-xs text-slate-500">
            It plays from its start, trimmed (or repeated) to the ad&apos;s length, and the cuts land on its beat.
          </p>
          <audio className="mt-2 w-full" controls preload="none" src={absoluteUrl(apiUrl, chosen.url)} aria-label={`Listen to ${chosen.name}`} />
        </div>
      ) : (
        tracks !== null &&
        percent === null && <p className="text-sm text-slate-600">No track yet: choose a file from your computer to use it as the ad&apos;s music.</p>
      )}
    </section>
  );
}
