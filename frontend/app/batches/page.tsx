import { AppHeader } from "@/components/AppHeader";
import { BatchList } from "@/components/programs/BatchList";

export default function BatchesPage() {
  return (
    <>
      <AppHeader />
      <BatchList />
    </>
  );
}
