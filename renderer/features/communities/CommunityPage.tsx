// One community: its side navigation (sections, search) and the section the address names, with
// the community's repo and index given to everything inside (CommunityContext). A community whose
// index is still arriving, damaged or newer says so, and its Sync page still opens.
import { useMemo } from "react";
import type { CommunitySummary } from "../../../shared/contract.ts";
import { asCommunityId, asCollectionId } from "../../../shared/ids.ts";
import { communityKind } from "../../../shared/schema/community.ts";
import { CommunityProvider } from "../../communityContext.tsx";
import { t, type MessageKey } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { useCommunityRepo, useDoc } from "../../repo.ts";
import { href, type Route, type Section } from "../../route.ts";
import { ProblemsNotice } from "../../ui/DocStates.tsx";
import { Lines } from "../../ui/fields.tsx";
import { Notice, ReloadNotice } from "../../ui/kit.tsx";
import { CollectionPage } from "../collections/CollectionPage.tsx";
import { CollectionsList } from "../collections/CollectionsList.tsx";
import { LogPage } from "../logs/LogPage.tsx";
import { LogsList } from "../logs/LogsList.tsx";
import { MapPage } from "../maps/MapPage.tsx";
import { MapsList } from "../maps/MapsList.tsx";
import { SearchLauncher } from "../search/SearchLauncher.tsx";
import { CommunitySettings } from "../settings/CommunitySettings.tsx";
import { StoriesList } from "../stories/StoriesList.tsx";
import { StoryPage } from "../stories/StoryPage.tsx";
import { SyncPage } from "../sync/SyncPage.tsx";

const NAV: { section: Section; label: MessageKey }[] = [
  { section: "stories", label: "nav.stories" },
  { section: "logs", label: "nav.logs" },
  { section: "maps", label: "nav.maps" },
  { section: "collections", label: "nav.collections" },
  { section: "sync", label: "nav.sync" },
  { section: "settings", label: "nav.settings" },
];

export function CommunityPage({
  summary,
  route,
}: {
  summary: CommunitySummary;
  route: Extract<Route, { page: "community" }>;
}) {
  const { connection, info } = usePeer();
  // The id comes from the address; from here on it is a community's id, as its type says.
  const id = asCommunityId(route.communityId);
  const { repo, failure } = useCommunityRepo(connection, summary.state === "ok" ? id : null);
  const index = useDoc(repo, summary.state === "ok" ? id : null, communityKind);
  const open = useMemo(
    () => (repo && index.status === "ok" ? { id, repo, index } : null),
    [id, repo, index],
  );
  const syncHref = href({ page: "community", communityId: id, section: "sync", docId: null });

  // Sync works without the index, and is how a community just joined (its index still on the way)
  // or a damaged one gets it from another device: its page opens whatever the index's state.
  if (summary.state !== "ok" && route.section === "sync") {
    return (
      <main id="main" className="page">
        {summary.state === "arriving" ? (
          <ArrivingNotice />
        ) : (
          <Notice tone="warning" title={t("sync.indexMissing")}>
            <Lines items={summary.problems} />
          </Notice>
        )}
        <CommunityProvider id={id}>
          <SyncPage />
        </CommunityProvider>
      </main>
    );
  }

  if (summary.state !== "ok") {
    return (
      <main id="main" className="page narrow">
        {summary.state === "arriving" ? (
          <ArrivingNotice syncHref={syncHref} />
        ) : (
          <Notice
            tone="error"
            title={t(
              summary.state === "newer" ? "community.newer.title" : "community.damaged.title",
            )}
          >
            <p>
              {summary.state === "newer"
                ? t("community.newer.body")
                : t("community.damaged.body", { dataDir: info.dataDir })}
            </p>
            <Lines items={summary.problems} />
            {summary.state === "damaged" && (
              <p>
                <a href={syncHref}>{t("community.damaged.sync")}</a>
              </p>
            )}
          </Notice>
        )}
      </main>
    );
  }

  return (
    <CommunityProvider id={id} open={open}>
      <div className="community">
        <nav className="sidenav" aria-label={t("nav.label")}>
          <p className="community-name">{index.status === "ok" ? index.doc.name : summary.name}</p>
          {open && <SearchLauncher />}
          <ul>
            {NAV.map(({ section, label }) => (
              <li key={section}>
                <a
                  href={href({ page: "community", communityId: id, section, docId: null })}
                  aria-current={route.section === section ? "page" : undefined}
                >
                  {t(label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="page">
          {failure !== null ? (
            <ReloadNotice title={failure} />
          ) : (
            index.status === "loading" && <p role="status">{t("common.loading")}</p>
          )}
          {index.status === "damaged" && (
            <Notice tone="error" title={t("community.damaged.title")}>
              <Lines items={index.problems} />
            </Notice>
          )}
          {index.status === "newer" && (
            <Notice tone="error" title={t("community.newer.title")}>
              {t("community.newer.body")}
            </Notice>
          )}
          {index.status === "unavailable" && (
            <Notice tone="error" title={t("community.damaged.title")} />
          )}
          {open && (
            <>
              <ProblemsNotice
                problems={open.index.problems}
                title={t("community.problems", { count: open.index.problems.length })}
              />
              <SectionView
                section={route.section}
                docId={route.docId}
                focus={route.focus ?? null}
              />
            </>
          )}
        </main>
      </div>
    </CommunityProvider>
  );
}

/** A community whose index has not come from another device yet (just joined). */
function ArrivingNotice({ syncHref }: { syncHref?: string }) {
  return (
    <Notice tone="info" title={t("community.arriving.title")}>
      <p>{t("community.arriving.body")}</p>
      {syncHref && (
        <p>
          <a href={syncHref}>{t("community.arriving.sync")}</a>
        </p>
      )}
    </Notice>
  );
}

/**
 * A section: its list, or one of its documents (opened at `focus`, a place inside it, when the
 * address names one). Logs, maps and collections start afresh for each document; a story page
 * stays, so following a link to another story keeps its tab and focus mode.
 */
function SectionView({
  section,
  docId,
  focus,
}: {
  section: Section;
  docId: string | null;
  focus: string | null;
}) {
  switch (section) {
    case "stories":
      return docId ? <StoryPage storyId={docId} focus={focus} /> : <StoriesList />;
    case "logs":
      return docId ? <LogPage key={docId} logId={docId} focus={focus} /> : <LogsList />;
    case "maps":
      return docId ? <MapPage key={docId} mapId={docId} focus={focus} /> : <MapsList />;
    case "collections":
      return docId ? (
        <CollectionPage key={docId} collectionId={asCollectionId(docId)} />
      ) : (
        <CollectionsList />
      );
    case "sync":
      return <SyncPage />;
    case "settings":
      return <CommunitySettings />;
  }
}
