import { CostTracker, SessionInfo } from "./SessionSidebar";
import { Stepper } from "./Stepper";
import { useSession } from "./SessionProvider";
import { stepLabel, type ScreenKey } from "@/lib/screens";
import type { Session } from "@/lib/types";

/** The frame of every session screen: stepper, heading, the screen, and the right-hand panel. */
export function ScreenLayout({
  screen,
  session,
  title,
  subtitle,
  children,
  aside,
}: {
  screen: ScreenKey;
  session: Session;
  title: string;
  subtitle?: string;
  children: React.ReactNode;
  aside?: React.ReactNode;
}) {
  const { costs, warning } = useSession();
  return (
    <div className="mx-auto max-w-7xl px-4 pb-24 pt-6 sm:px-6">
      <Stepper session={session} current={screen} />
      <div className="mt-8 grid gap-8 lg:grid-cols-[minmax(0,1fr)_320px]">
        <main className="min-w-0">
          <header className="mb-6">
            <p className="step-label text-xs font-semibold uppercase tracking-wide text-brand-600">{stepLabel(screen)}</p>
            <h1 className="text-2xl font-bold tracking-tight text-slate-900">{title}</h1>
            {subtitle && <p className="mt-1 text-slate-500">{subtitle}</p>}
          </header>
          {children}
        </main>
        <div className="min-w-0 space-y-4 lg:sticky lg:top-24 lg:self-start">
          {aside}
          <SessionInfo session={session} />
          <CostTracker session={session} costs={costs} warning={warning} />
        </div>
      </div>
    </div>
  );
}
