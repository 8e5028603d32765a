// What a document page shows while its document cannot be used: loading, not on this device yet,
// written by a newer Meitheal, or damaged (with what is wrong and its raw content, nothing hidden).
// One component for stories, logs, maps and collections, so each says it the same way.
import type { ReactNode } from "react";
import type { DocKind } from "../../shared/schema/kind.ts";
import { useCommunity, useCommunityId } from "../communityContext.tsx";
import { t, type MessageKey } from "../i18n/index.ts";
import { useDoc, type DocView } from "../repo.ts";
import { href, type Section } from "../route.ts";
import { Notice, PageHeading } from "./kit.tsx";

export type UnusableView = Exclude<DocView<unknown>, { status: "ok" }>;

/** Whose messages a page shows: "logs" says "logs.unavailable", "logs.damaged.title", … */
export type DocMessages = "story" | "logs" | "maps" | "collection";

/** The sections whose pages are documents, the words of their way back and their messages. */
const PAGES = {
  stories: { back: "story.back", messages: "story" },
  logs: { back: "logs.back", messages: "logs" },
  maps: { back: "maps.back", messages: "maps" },
  collections: { back: "collections.back", messages: "collection" },
} as const satisfies Record<string, { back: MessageKey; messages: DocMessages }>;
export type DocSection = keyof typeof PAGES;

/**
 * The document a page shows, read through its kind. `back` is the way to its list; `unusable` is
 * what the page shows instead while the document cannot be used (loading, not here, damaged,
 * newer), null once it can.
 */
export function useDocPage<T>(section: DocSection, docId: string, kind: DocKind<T>) {
  const { repo, index } = useCommunity();
  const view = useDoc(repo, docId, kind);
  const { back: label, messages } = PAGES[section];
  const back = <BackLink section={section} label={label} />;
  const unusable =
    view.status === "ok" ? null : (
      <DocUnusable
        view={view}
        back={back}
        title={index.doc.entries[docId]?.title ?? docId}
        messages={messages}
      />
    );
  return { view, back, unusable };
}

/** The way back from a document to its section's list. */
function BackLink({ section, label }: { section: Section; label: MessageKey }) {
  const communityId = useCommunityId();
  return (
    <p className="back">
      <a href={href({ page: "community", communityId, section, docId: null })}>← {t(label)}</a>
    </p>
  );
}

function DocUnusable({
  view,
  back,
  title,
  messages,
}: {
  view: UnusableView;
  /** The way back to the list, shown above whatever the state is. */
  back: ReactNode;
  /** The document's title as the community index knows it (for the damaged page's heading). */
  title: string;
  messages: DocMessages;
}) {
  switch (view.status) {
    case "loading":
      return (
        <>
          {back}
          <p role="status">{t("common.loading")}</p>
        </>
      );
    case "unavailable":
      return (
        <>
          {back}
          <Notice tone="info" title={t(`${messages}.unavailable`)} />
        </>
      );
    case "newer":
      return (
        <>
          {back}
          <Notice tone="error" title={t(`${messages}.newer`)} />
        </>
      );
    case "damaged":
      return (
        <>
          {back}
          <PageHeading>{title}</PageHeading>
          <Notice tone="error" title={t(`${messages}.damaged.title`)}>
            <p>{t(`${messages}.damaged.body`)}</p>
            <ul>
              {view.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Notice>
          <label className="raw">
            {t(`${messages}.damaged.raw`)}
            <textarea readOnly rows={12} value={view.raw} />
          </label>
        </>
      );
  }
}

/**
 * Parts of a usable document that could not be read (a buggy peer's items), left out and named:
 * a warning with the list folded away. Nothing when there are none.
 */
export function ProblemsNotice({
  problems,
  title,
  body,
}: {
  problems: readonly string[];
  title: string;
  body?: string;
}) {
  if (problems.length === 0) return null;
  return (
    <Notice tone="warning" title={title}>
      {body !== undefined && <p>{body}</p>}
      <details>
        <summary>{t("common.details")}</summary>
        <ul>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </details>
    </Notice>
  );
}
