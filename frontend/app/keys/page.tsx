import { AppHeader } from "@/components/AppHeader";
import { ApiKeys } from "@/components/programs/ApiKeys";

export default function ApiKeysPage() {
  return (
    <>
      <AppHeader />
      <ApiKeys />
    </>
  );
}
