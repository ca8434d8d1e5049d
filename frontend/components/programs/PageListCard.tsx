import { Card } from "@/components/ui/Card";
import { PageProblem } from "@/components/ui/ProblemNotice";

/**
 * Below a signed-in page's form: the page's problem, if any (its retry reads the page again), then
 * its items, one `<li>` each from `children`, in a card once there are any.
 */
export function PageListCard<T>({
  error,
  onRetry,
  items,
  children,
}: {
  error: unknown;
  onRetry: () => void;
  items: T[] | null;
  children: (item: T) => React.ReactNode;
}) {
  return (
    <>
      <PageProblem error={error} onRetry={onRetry} className="mt-6" />
      {items && items.length > 0 && (
        <Card as="div" className="mt-8 overflow-hidden">
          <ul className="divide-y divide-slate-100">{items.map(children)}</ul>
        </Card>
      )}
    </>
  );
}
