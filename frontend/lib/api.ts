import createClient, { type Middleware } from "openapi-fetch";

import type { paths } from "./api-schema";

export type Api = ReturnType<typeof createApi>;

/** A typed client for the gateway; every path and body is checked against its OpenAPI document. */
export function createApi(apiUrl: string, token?: string | null) {
  const client = createClient<paths>({ baseUrl: apiUrl });
  if (token) {
    const auth: Middleware = {
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    };
    client.use(auth);
  }
  return client;
}

/** A failed call: the HTTP status (0 when the server could not be reached) and the gateway's detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly fields: string[] = [],
    /** The path that answered (e.g. "/api/auth/login"), so a 401 from login is not an expired sign-in. */
    readonly path: string = "",
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a call, or an ApiError carrying the gateway's message in plain words. */
export async function call<T>(request: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await request;
  } catch {
    throw new ApiError(0, "Adreel's server could not be reached.");
  }
  if (result.response.ok && result.error === undefined) return result.data as T;
  const detail = (result.error as { detail?: unknown } | undefined)?.detail;
  const path = pathOf(result.response.url);
  if (Array.isArray(detail)) {
    const lines = detail.map((d: FieldError) => plainFieldError(d));
    throw new ApiError(result.response.status, lines.join("; "), lines, path);
  }
  throw new ApiError(
    result.response.status,
    typeof detail === "string" ? detail : `${result.response.status} ${result.response.statusText}`,
    [],
    path,
  );
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

/** One FastAPI/pydantic validation error: {loc: ["body", "product_prompt"], type, msg, ctx}. */
interface FieldError {
  loc?: (string | number)[];
  type?: string;
  msg?: string;
  ctx?: { min_length?: number; max_length?: number };
}

const LIST_FIELD = /(_ids|_order|formats|keywords)$/;

/** "product_prompt: Value should have at least 3 items..." -> "Product prompt: use at least 3 characters". */
export function plainFieldError(error: FieldError): string {
  const path = (error.loc ?? []).filter((p) => p !== "body");
  const last = String(path[path.length - 1] ?? "");
  const name = last ? last.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase()) : "";
  const unit = LIST_FIELD.test(last) ? "items" : "characters";
  let text = (error.msg ?? "is not valid").replace(/^Value error, /, "");
  if (error.type?.endsWith("too_short") && error.ctx?.min_length != null) text = `use at least ${error.ctx.min_length} ${unit}`;
  if (error.type?.endsWith("too_long") && error.ctx?.max_length != null) text = `use at most ${error.ctx.max_length} ${unit}`;
  if (error.type === "missing") text = "is required";
  // Never show a raw regular expression: say what a valid value looks like.
  if (error.type === "string_pattern_mismatch") {
    if (last === "email") text = "enter an email address like name@example.com";
    else if (last === "color") text = "use a colour like #FFFFFF";
    else text = "use only letters, digits, - and _";
  }
  return name ? `${name}: ${text}` : text;
}
