"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";

import { createApi } from "@/lib/api";
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
