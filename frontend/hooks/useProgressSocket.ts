"use client";

import { useEffect, useRef, useState } from "react";

import type { ProgressEvent } from "@/lib/types";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

// Close codes the gateway uses for "bad token" and "no such session": reconnecting cannot help.
const FATAL_CLOSE_CODES = new Set([4401, 4404]);
const MAX_BACKOFF_MS = 10_000;

/** A single-use ticket for the session's socket (POST /api/ws-ticket); throws ApiError when refused. */
export type IssueTicket = () => Promise<string>;

/**
 * The session's progress events over WS /ws/{id}?ticket=..., reconnecting with backoff. Every
 * connection gets a fresh single-use ticket, so the URL (which proxies log) never carries the access
 * token. The gateway sends the latest state first on every (re)connect, so nothing is missed.
 */
export function useProgressSocket(
  wsUrl: string,
  sessionId: string,
  issueTicket: IssueTicket | null,
  onEvent: (event: ProgressEvent) => void,
): { state: ConnectionState; attempts: number } {
  const [state, setState] = useState<ConnectionState>("connecting");
  const [attempts, setAttempts] = useState(0);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    if (!issueTicket) return;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    let connecting = false;
    let failures = 0;
    let lastSeq = 0;

    const retryLater = () => {
      failures += 1;
      setAttempts(failures);
      setState("reconnecting");
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures - 1, 5));
      timer = setTimeout(() => void connect(), delay);
    };

    const connect = async () => {
      if (closed || connecting) return;
      connecting = true;
      let ticket: string;
      try {
        ticket = await issueTicket();
      } catch (error) {
        connecting = false;
        if (closed) return;
        // Signed out or no such session: a new ticket would be refused just the same.
        const status = (error as { status?: number }).status;
        if (status === 401 || status === 403 || status === 404) setState("offline");
        else retryLater();
        return;
      }
      connecting = false;
      if (closed) return;
      // After a drop, the gateway (any replica) first sends what came after the last event seen.
      const resume = lastSeq > 0 ? `&last_seq=${lastSeq}` : "";
      socket = new WebSocket(`${wsUrl}/ws/${encodeURIComponent(sessionId)}?ticket=${encodeURIComponent(ticket)}${resume}`);
      socket.onopen = () => {
        failures = 0;
        setAttempts(0);
        setState("live");
      };
      socket.onmessage = (message) => {
        try {
          const event = JSON.parse(String(message.data)) as ProgressEvent;
          if (event.type === "heartbeat") return;
          // A snapshot after a reconnect may repeat what we already have; older events are stale.
          if (event.type !== "snapshot" && event.seq <= lastSeq) return;
          lastSeq = Math.max(lastSeq, event.seq);
          handler.current(event);
        } catch {
          // Not JSON: nothing the app can use.
        }
      };
      socket.onclose = (close) => {
        socket = null;
        if (closed) return;
        if (FATAL_CLOSE_CODES.has(close.code)) {
          setState("offline");
          return;
        }
        retryLater();
      };
    };

    // Reconnect at once when the tab comes back online rather than waiting for the backoff.
    const online = () => {
      if (socket === null && !closed) {
        if (timer) clearTimeout(timer);
        void connect();
      }
    };
    window.addEventListener("online", online);
    setState("connecting");
    void connect();
    return () => {
      closed = true;
      window.removeEventListener("online", online);
      if (timer) clearTimeout(timer);
      socket?.close(1000, "leaving");
    };
  }, [wsUrl, sessionId, issueTicket]);

  return { state, attempts };
}
