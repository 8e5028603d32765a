import { t, type MessageKey } from "../../i18n/index.ts";
import { EmptyState, PageHeading } from "../../ui/kit.tsx";

/** An honest empty state for a section whose capability has not landed yet. */
export function Placeholder({
  heading,
  title,
  body,
}: {
  heading: MessageKey;
  title: MessageKey;
  body: MessageKey;
}) {
  return (
    <>
      <PageHeading>{t(heading)}</PageHeading>
      <EmptyState title={t(title)}>{t(body)}</EmptyState>
    </>
  );
}
