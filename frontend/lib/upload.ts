import { useState } from "react";

import { useConfig } from "./config";
import type { Problem } from "./errors";

/** What a multipart upload got back: the status (0 = the server was not reached), the parsed JSON
 * body (null when it was not JSON) and the gateway's message. */
export interface Uploaded {
  status: number;
  body: unknown;
  detail: string;
}

/** POST a multipart form with upload progress (fetch reports none), as the signed-in user. */
export function postForm(url: string, token: string, form: FormData, onProgress: (percent: number) => void): Promise<Uploaded> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress((100 * e.loaded) / e.total);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: the status text stands */
      }
      const detail = (body as { detail?: unknown } | null)?.detail;
      resolve({ status: xhr.status, body, detail: typeof detail === "string" ? detail : xhr.statusText });
    };
    xhr.onerror = () => resolve({ status: 0, body: null, detail: "" });
    xhr.send(form);
  });
}

/**
 * One multipart upload to the gateway at a time, as the signed-in user (`token`): its progress
 * (`percent`, null when none runs) and what went wrong (`problem`, in the words `describe` gives a
 * status and the gateway's message). `send(path, form)` resolves to the reply when the server made
 * what was sent (201), else to null.
 */
export function useFormUpload(token: string, describe: (status: number, detail: string) => Problem) {
  const { apiUrl } = useConfig();
  const [percent, setPercent] = useState<number | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function send(path: string, form: FormData): Promise<Uploaded | null> {
    setProblem(null);
    setPercent(0);
    const reply = await postForm(`${apiUrl}${path}`, token, form, setPercent);
    setPercent(null);
    if (reply.status === 201) return reply;
    setProblem(describe(reply.status, reply.detail));
    return null;
  }

  return { percent, problem, setProblem, send };
}
