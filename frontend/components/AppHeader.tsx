"use client";

import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { clearAccount, loadAccount } from "@/lib/auth";

/** The mark and the name; `compact` drops the name on narrow phones (the header needs the room). */
export function Logo({ compact = false }: { compact?: boolean }) {
  return (
    <span className="flex items-center gap-2.5">
      <span className="flex h-8 w-8 items-center justify-center rounded-lg bg-gradient-to-br from-brand-500 to-violet-600 shadow-sm">
        <svg viewBox="0 0 24 24" className="h-4 w-4 text-white" fill="currentColor" aria-hidden="true">
          <path d="M8 5.14v13.72a1 1 0 0 0 1.5.86l11-6.86a1 1 0 0 0 0-1.72l-11-6.86A1 1 0 0 0 8 5.14Z" />
        </svg>
      </span>
      <span className={clsx("text-lg font-bold tracking-tight text-slate-900", compact && "hidden min-[420px]:inline")}>Adreel</span>
    </span>
  );
}

const LINK = "whitespace-nowrap rounded-md px-2 py-1.5 font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 sm:px-3";
const MORE = [
  ["/batches", "Batches"],
  ["/brand", "Brand kits"],
  ["/keys", "API keys"],
] as const;

/** The top bar of every signed-in screen. */
export function AppHeader({ children }: { children?: React.ReactNode }) {
  const router = useRouter();
  const [email, setEmail] = useState<string | null>(null);
  useEffect(() => setEmail(loadAccount()?.email ?? null), []);

  return (
    <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/85 backdrop-blur">
      <div className="mx-auto flex h-16 max-w-7xl items-center gap-2 px-4 sm:gap-6 sm:px-6">
        <Link href="/sessions" aria-label="Adreel home">
          <Logo compact />
        </Link>
        <nav className="flex min-w-0 items-center gap-1 text-sm">
          <Link href="/sessions" className={LINK}>
            My sessions
          </Link>
          {MORE.map(([href, label]) => (
            <Link key={href} href={href} className={clsx(LINK, "hidden sm:inline")}>
              {label}
            </Link>
          ))}
          {/* A phone has no room for every page: the others sit behind "More". */}
          <details className="relative sm:hidden">
            <summary className={clsx(LINK, "cursor-pointer list-none")}>More ▾</summary>
            <div className="absolute left-0 z-30 mt-2 flex w-44 flex-col rounded-lg bg-white p-1 shadow-lg ring-1 ring-slate-200">
              {MORE.map(([href, label]) => (
                <Link key={href} href={href} className={LINK}>
                  {label}
                </Link>
              ))}
            </div>
          </details>
        </nav>
        <div className="ml-auto flex min-w-0 items-center gap-2 sm:gap-4">
          {children}
          {email && (
            <div className="flex items-center gap-3 text-sm">
              <span className="hidden text-slate-500 sm:inline">{email}</span>
              <button
                type="button"
                className="whitespace-nowrap rounded-md px-2 py-1 font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900"
                onClick={() => {
                  clearAccount();
                  router.push("/");
                }}
              >
                Sign out
              </button>
            </div>
          )}
        </div>
      </div>
    </header>
  );
}
