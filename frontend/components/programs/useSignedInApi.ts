"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";

import { type Api, createApi } from "@/lib/api";
import { loadAccount } from "@/lib/auth";
import { useConfig } from "@/lib/config";
import { useActionError } from "@/lib/useActionError";

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
 * `reload()` (null until it arrives; `reload` resolves to whether it was read), and `act(work)`, a
 * change after which the list is read again (`busy` while it runs). A failed read or change lands
 * in `error`, the page's one error state. `read` must keep its identity between renders: a function
 * outside the component (or a `useCallback` of what it reads).
 */
export function useSignedInPage<T>(here: string, read: (api: Api) => Promise<T>) {
  const { api, apiUrl, ready } = useSignedInApi(here);
  const [data, setData] = useState<T | null>(null);
  const { error, setError, attempt } = useActionError();
  const [busy, setBusy] = useState(false);
  const reload = useCallback(async () => {
    if (!ready) return false;
    try {
      setData(await read(api));
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  }, [api, ready, read, setError]);
  useEffect(() => void reload(), [reload]);

  async function act(work: () => Promise<unknown>) {
    await attempt(async () => {
      await work();
      await reload();
    }, setBusy);
  }

  return { api, apiUrl, data, setData, error, setError, reload, busy, act };
}
