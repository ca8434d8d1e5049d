"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";

import { type Api, createApi } from "@/lib/api";
import { loadAccount } from "@/lib/auth";
import { useConfig } from "@/lib/config";

/** The typed API as the signed-in person (back to sign-in, then to `here`, without an account). */
export function useSignedInApi(here: string) {
  const { apiUrl } = useConfig();
  const router = useRouter();
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    const account = loadAccount();
    if (!account) router.replace(`/?next=${encodeURIComponent(here)}`);
    else setToken(account.token);
  }, [router, here]);
  const api = useMemo(() => createApi(apiUrl, token), [apiUrl, token]);
  return { api, apiUrl, ready: token !== null };
}

/**
 * A signed-in page of one list: what `read` gets with the API, read once signed in and again on
 * `reload()` (null until it arrives), and `act(work)`, a change after which the list is read again
 * (`busy` while it runs). A failed read or change lands in `error`, the page's one error state.
 * `read` must keep its identity between renders: a function outside the component.
 */
export function useSignedInPage<T>(here: string, read: (api: Api) => Promise<T>) {
  const { api, ready } = useSignedInApi(here);
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const reload = useCallback(async () => {
    if (!ready) return;
    try {
      setData(await read(api));
    } catch (err) {
      setError(err);
    }
  }, [api, ready, read]);
  useEffect(() => void reload(), [reload]);

  async function act(work: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await work();
      await reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return { api, data, error, setError, reload, busy, act };
}
