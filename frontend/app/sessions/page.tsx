import { AppHeader } from "@/components/AppHeader";
import { SessionList } from "@/components/session/SessionList";

export default function MySessionsPage() {
  return (
    <>
      <AppHeader />
      <SessionList />
    </>
  );
}
