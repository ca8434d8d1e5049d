import Link from "next/link";

/** Under a mood board: a question, then a link back to everything it was chosen from. */
export function BackLink({ question, href, children }: { question: string; href: string; children: React.ReactNode }) {
  return (
    <p className="mt-6 text-sm text-slate-500">
      {question}{" "}
      <Link href={href} className="font-medium text-brand-600 hover:text-brand-700">
        {children}
      </Link>
    </p>
  );
}
