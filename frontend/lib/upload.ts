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
