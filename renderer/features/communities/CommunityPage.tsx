import { useMemo } from "react";
import type { CommunitySummary } from "../../../shared/contract.ts";
import { asCommunityId } from "../../../shared/ids.ts";
import { communityKind } from "../../../shared/schema/community.ts";
import { CommunityProvider } from "../../communityContext.tsx";
import { t, type MessageKey } from "../../i18n/index.ts";
import { usePeer } from "../../peerContext.ts";
import { useCommunityRepo, useDoc } from "../../repo.ts";
import { href, type Route, type Section } from "../../route.ts";
import { Notice, ReloadNotice } from "../../ui/kit.tsx";
import { ProblemsNotice } from "../../ui/DocStates.tsx";
import { LogsSection } from "../logs/LogsSection.tsx";
import { MapsSection } from "../maps/MapsSection.tsx";
import { SearchLauncher } from "../search/SearchLauncher.tsx";
import { CollectionsSection } from "../collections/CollectionsSection.tsx";
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

  // Sync works without the index, and is how a community just joined (its index still on the way)
  // or a damaged one gets it from another device: its page opens whatever the index's state.
  if (summary.state !== "ok" && route.section === "sync") {
    return (
      <main id="main" className="page">
        {summary.state === "arriving" ? (
          <Notice tone="info" title={t("community.arriving.title")}>
            <p>{t("community.arriving.body")}</p>
          </Notice>
        ) : (
          <Notice tone="warning" title={t("sync.indexMissing")}>
            <ul>
              {summary.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Notice>
        )}
        <CommunityProvider id={id}>
          <SyncPage />
        </CommunityProvider>
      </main>
    );
  }

  const syncHref = href({
    page: "community",
    communityId: id,
    section: "sync",
    docId: null,
  });
  if (summary.state === "arriving") {
    return (
      <main id="main" className="page narrow">
        <Notice tone="info" title={t("community.arriving.title")}>
          <p>{t("community.arriving.body")}</p>
          <p>
            <a href={syncHref}>{t("community.arriving.sync")}</a>
          </p>
        </Notice>
      </main>
    );
  }

  if (summary.state !== "ok") {
    return (
      <main id="main" className="page narrow">
        <Notice
          tone="error"
          title={t(summary.state === "newer" ? "community.newer.title" : "community.damaged.title")}
        >
          <p>
            {summary.state === "newer"
              ? t("community.newer.body")
              : t("community.damaged.body", { dataDir: info.dataDir })}
          </p>
          <ul>
            {summary.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
          {summary.state === "damaged" && (
            <p>
              <a href={syncHref}>{t("community.damaged.sync")}</a>
            </p>
          )}
        </Notice>
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
              <ul>
                {index.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
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
              {route.section === "stories" &&
                (route.docId ? (
                  <StoryPage storyId={route.docId} focus={route.focus ?? null} />
                ) : (
                  <StoriesList />
                ))}
              {route.section === "logs" && (
                <LogsSection logId={route.docId} focus={route.focus ?? null} />
              )}
              {route.section === "maps" && (
                <MapsSection mapId={route.docId} focus={route.focus ?? null} />
              )}
              {route.section === "collections" && <CollectionsSection collectionId={route.docId} />}
              {route.section === "sync" && <SyncPage />}
              {route.section === "settings" && <CommunitySettings />}
            </>
          )}
        </main>
      </div>
    </CommunityProvider>
  );
}
