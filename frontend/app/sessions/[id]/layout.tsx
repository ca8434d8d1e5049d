"use client";

import { AppHeader } from "@/components/AppHeader";
import { ConnectionBadge } from "@/components/session/ConnectionBadge";
import { SessionProvider, useSession } from "@/components/session/SessionProvider";

function LiveHeader() {
  const { connection } = useSession();
  return (
    <AppHeader>
      <ConnectionBadge state={connection} />
    </AppHeader>
  );
}

export default function SessionLayout({ params, children }: { params: { id: string }; children: React.ReactNode }) {
  return (
    <SessionProvider sessionId={params.id}>
      <LiveHeader />
      {children}
    </SessionProvider>
  );
}
