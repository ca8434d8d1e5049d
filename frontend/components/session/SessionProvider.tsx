"use client";

import { useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

import { type ConnectionState, useProgressSocket } from "@/hooks/useProgressSocket";
import { ApiError, call, createApi, type Api } from "@/lib/api";
import { type Account, loadAccount } from "@/lib/auth";
import { useConfig } from "@/lib/config";
import type { Costs, ProgressEvent, Session } from "@/lib/types";

interface SessionContextValue {
  api: Api;
  account: Account;
  sessionId: string;
  session: Session | null;
  costs: Costs | null;
  loadError: unknown;
  /** The latest progress event of the running (or last) stage. */
  progress: ProgressEvent | null;
  /** The latest warning (e.g. the budget alert), shown until the page is left. */
  warning: string | null;
  connection: ConnectionState;
  refresh: () => Promise<Session | null>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

const RUNNING = new Set(["image_generation", "clip_generation", "final_composition"]);
// The gateway signs media URLs per response; keep the first URL of each file for a while so a
// refresh does not download every image and clip again (its tokens live an hour).
const MEDIA_URL_REUSE_MS = 30 * 60 * 1000;

function stableMedia(session: Session, seen: Map<string, { url: string; at: number }>): Session {
  const now = Date.now();
  const stable = <T extends { url: string }>(item: T): T => {
    const key = item.url.split("?")[0];
    const known = seen.get(key);
    if (known && now - known.at < MEDIA_URL_REUSE_MS) return { ...item, url: known.url };
    seen.set(key, { url: item.url, at: now });
    return item;
  };
  return {
    ...session,
    generated_images: session.generated_images.map(stable),
    generated_clips: session.generated_clips.map(stable),
    final_video: session.final_video ? stable(session.final_video) : null,
    final_videos: session.final_videos.map(stable),
  };
}

/**
 * Everything a session screen needs: the session from the API (so a refresh restores any screen),
 * its costs, and live progress over the WebSocket. Without a signed-in account it sends you to login.
 */
export function SessionProvider({ sessionId, children }: { sessionId: string; children: React.ReactNode }) {
  const { apiUrl, wsUrl } = useConfig();
  const router = useRouter();
  const [account, setAccount] = useState<Account | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [costs, setCosts] = useState<Costs | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [progress, setProgress] = useState<ProgressEvent | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const stageRef = useRef<string | null>(null);
  const mediaUrls = useRef(new Map<string, { url: string; at: number }>());

  useEffect(() => {
    const found = loadAccount();
    if (!found) {
      router.replace(`/?next=${encodeURIComponent(window.location.pathname)}`);
      return;
    }
    setAccount(found);
  }, [router]);

  const api = useMemo(() => createApi(apiUrl, account?.token), [apiUrl, account?.token]);

  const fetchCosts = useCallback(
    () => call(api.GET("/api/sessions/{session_id}/costs", { params: { path: { session_id: sessionId } } })),
    [api, sessionId],
  );

  const refresh = useCallback(async (): Promise<Session | null> => {
    if (!account) return null;
    try {
      const [fresh, freshCosts] = await Promise.all([
        call(api.GET("/api/sessions/{session_id}", { params: { path: { session_id: sessionId } } })),
        fetchCosts(),
      ]);
      stageRef.current = fresh.stage;
      const stable = stableMedia(fresh, mediaUrls.current);
      setSession(stable);
      setCosts(freshCosts);
      setLoadError(null);
      return stable;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        router.replace(`/?next=${encodeURIComponent(window.location.pathname)}&expired=1`);
      }
      setLoadError(error);
      return null;
    }
  }, [account, api, sessionId, router, fetchCosts]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const onEvent = useCallback(
    (event: ProgressEvent) => {
      if (event.type === "warning") {
        setWarning(event.message);
        return;
      }
      setProgress(event);
      // A stage finished, failed, or moved on elsewhere (another tab): reload the whole session.
      if (event.type === "complete" || event.type === "failed" || event.session_stage !== stageRef.current) {
        void refresh();
      }
    },
    [refresh],
  );

  const issueTicket = useMemo(() => {
    if (!account) return null;
    return async () => {
      const body = { session_id: sessionId };
      return (await call(api.POST("/api/ws-ticket", { body }))).ticket;
    };
  }, [account, api, sessionId]);
  const { state: connection } = useProgressSocket(wsUrl, sessionId, issueTicket, onEvent);

  // The ledger books a stage's cost moments after the stage completes: while the breakdown lags the
  // session's total, ask for it again (up to five times), so the lines add up to the total shown.
  const costChecks = useRef({ total: -1, tries: 0 });
  useEffect(() => {
    if (!session || !costs || !account) return;
    const checks = costChecks.current;
    if (checks.total !== session.total_cost) Object.assign(checks, { total: session.total_cost, tries: 0 });
    const booked = costs.breakdown.reduce((sum, line) => sum + line.cost, 0);
    if (booked + 1e-5 >= session.total_cost || checks.tries >= 5) return;
    const timer = setTimeout(() => {
      checks.tries += 1;
      fetchCosts().then(setCosts, () => undefined);
    }, 1000);
    return () => clearTimeout(timer);
  }, [session, costs, account, fetchCosts]);

  // While a stage runs and the socket is down, poll so the screen still moves on.
  const running = session ? RUNNING.has(session.stage) : false;
  useEffect(() => {
    if (!running || connection === "live") return;
    const timer = setInterval(() => void refresh(), 3000);
    return () => clearInterval(timer);
  }, [running, connection, refresh]);

  if (!account) return null;
  return (
    <SessionContext.Provider
      value={{ api, account, sessionId, session, costs, loadError, progress, warning, connection, refresh }}
    >
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
