import { Suspense } from "react";

import { LoginForm } from "@/components/auth/LoginForm";
import { Logo } from "@/components/AppHeader";

export default function LoginPage() {
  return (
    <div className="relative flex min-h-screen flex-col items-center justify-center overflow-hidden px-6 py-12">
      <div
        className="pointer-events-none absolute inset-0 -z-10 bg-[radial-gradient(60rem_40rem_at_50%_-10%,theme(colors.brand.100),transparent)]"
        aria-hidden="true"
      />
      <div className="mb-8">
        <Logo />
      </div>
      <Suspense>
        <LoginForm />
      </Suspense>
      <ol className="mt-10 grid max-w-md grid-cols-3 gap-4 text-center text-xs text-slate-500">
        <li>
          <span className="block text-base font-semibold text-slate-800">1</span>Describe your product
        </li>
        <li>
          <span className="block text-base font-semibold text-slate-800">2</span>Pick images &amp; clips
        </li>
        <li>
          <span className="block text-base font-semibold text-slate-800">3</span>Download a 1080p ad
        </li>
      </ol>
    </div>
  );
}
