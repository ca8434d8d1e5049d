import { AppHeader } from "@/components/AppHeader";
import { BatchDetail } from "@/components/programs/BatchDetail";

export default function BatchPage({ params }: { params: { id: string } }) {
  return (
    <>
      <AppHeader />
      <BatchDetail id={params.id} />
    </>
  );
}
