"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";

import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { InputField } from "@/components/ui/Field";
import { ProblemNotice } from "@/components/ui/ProblemNotice";
import { call, createApi } from "@/lib/api";
import { saveAccount } from "@/lib/auth";
import { useConfig } from "@/lib/config";
import { describeProblem } from "@/lib/errors";

/** Screen 1: sign in (the demo account pre-filled where the deployment offers one), then the latest
 * unfinished session or My sessions. */
export function LoginForm() {
  const { apiUrl } = useConfig();
  const router = useRouter();
  const params = useSearchParams();
  const [mode, setMode] = useState<"login" | "register">("login");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [demo, setDemo] = useState<{ email: string; password: string } | null>(null);
  useEffect(() => {
    // Filled in only where nothing was typed yet; a deployment without a demo answers 404.
    createApi(apiUrl)
      .GET("/api/auth/demo")
      .then(({ data }) => {
        if (!data) return;
        setDemo(data);
        setEmail((typed) => typed || data.email);
        setPassword((typed) => typed || data.password);
      }, () => undefined);
  }, [apiUrl]);
  const demoFilled = demo !== null && mode === "login" && email === demo.email && password === demo.password;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const anonymous = createApi(apiUrl);
      const body = { email: email.trim(), password };
      const auth = await call(
        mode === "login" ? anonymous.POST("/api/auth/login", { body }) : anonymous.POST("/api/auth/register", { body }),
      );
      saveAccount({ token: auth.session_token, email: auth.email, userId: auth.user_id });
      const next = params.get("next");
      if (next && next.startsWith("/sessions")) {
        router.push(next);
        return;
      }
      // Signing in never creates a session (one is made when a product is started): continue the
      // latest unfinished session, else land on My sessions.
      const api = createApi(apiUrl, auth.session_token);
      const sessions = await call(api.GET("/api/sessions"));
      const unfinished = sessions
        .filter((s) => s.stage !== "complete")
        .sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0];
      router.push(unfinished ? `/sessions/${unfinished.id}` : "/sessions");
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Card className="w-full max-w-md p-8">
      <h1 className="text-center text-2xl font-bold tracking-tight text-slate-900">AI Ad Video Generator</h1>
      <p className="mt-2 text-center text-sm text-slate-500">
        {mode === "login" ? "Sign in to turn a product description into a finished video ad." : "Create your Adreel account."}
      </p>
      {params.get("expired") && !error && (
        <p className="mt-4 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800">Your sign-in expired. Please sign in again.</p>
      )}
      <form className="mt-6 space-y-4" onSubmit={submit} noValidate>
        <InputField
          id="email"
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <InputField
          id="password"
          label="Password"
          name="password"
          type="password"
          autoComplete={mode === "login" ? "current-password" : "new-password"}
          required
          minLength={mode === "login" ? 6 : 8}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {demoFilled && (
          <p className="demo-note text-xs text-slate-500">Filled in: the shared demo account, to try Adreel. Create your own to keep your ads to yourself.</p>
        )}
        {error !== null && <ProblemNotice problem={describeProblem(error)} />}
        <Button type="submit" size="lg" className="w-full" loading={busy}>
          {mode === "login" ? "Start Creating" : "Create account"}
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-500">
        {mode === "login" ? "New to Adreel? " : "Already have an account? "}
        <button
          type="button"
          className="font-semibold text-brand-600 hover:text-brand-700"
          onClick={() => {
            setMode(mode === "login" ? "register" : "login");
            setError(null);
            // A new account is not the demo one: start from empty fields.
            if (mode === "login" && demo && email === demo.email) {
              setEmail("");
              setPassword("");
            }
          }}
        >
          {mode === "login" ? "Create an account" : "Sign in"}
        </button>
      </p>
    </Card>
  );
}
