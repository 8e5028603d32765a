// The app shell: connect to the peer, then the community switcher, the sections of the open
// community, and the warnings the peer raises about stored data.
import { useEffect, useState } from "react";
import type { PeerInfo, Profile } from "../shared/contract.ts";
import { ConnectFailure, connectToPeer, readToken, type PeerConnection } from "./connection.ts";
import { CommunityPage } from "./features/communities/CommunityPage.tsx";
import { CreateCommunity } from "./features/communities/CreateCommunity.tsx";
import { CommunitySwitcher } from "./features/communities/CommunitySwitcher.tsx";
import { ProfilePage } from "./features/settings/ProfilePage.tsx";
import { JoinPage } from "./features/sync/JoinCommunity.tsx";
import { RestorePage } from "./features/transfer/RestorePage.tsx";
import { StorageWarnings } from "./features/warnings/StorageWarnings.tsx";
import { t } from "./i18n/index.ts";
import { PeerContext } from "./peerContext.ts";
import { href, navigate, parseRoute, useRoute } from "./route.ts";
import { EmptyState, ReloadNotice } from "./ui/kit.tsx";
import { shownValue, usePeerQuery } from "./usePeerQuery.ts";

const LAST_COMMUNITY = "meitheal.lastCommunity";

type Boot =
  | { state: "connecting" }
  | { state: "no-token" }
  | { state: "failed"; message: string }
  | { state: "ready"; connection: PeerConnection; info: PeerInfo; profile: Profile };

export function App() {
  const [token] = useState(() => (window.meitheal ? null : readToken()));
  const [boot, setBoot] = useState<Boot>(() =>
    window.meitheal || token ? { state: "connecting" } : { state: "no-token" },
  );
  const [lost, setLost] = useState(false);

  useEffect(() => {
    if (!window.meitheal && !token) return;
    connectToPeer(token).then(
      async (connection) => {
        connection.onLost(() => setLost(true));
        const [info, profile] = await Promise.all([
          connection.rpc.call("peer:info", {}),
          connection.rpc.call("profile:get", {}),
        ]);
        if (!info.ok) setBoot({ state: "failed", message: info.error.message });
        else if (!profile.ok) setBoot({ state: "failed", message: profile.error.message });
        else setBoot({ state: "ready", connection, info: info.value, profile: profile.value });
      },
      (e: unknown) =>
        setBoot({
          state: "failed",
          message: e instanceof ConnectFailure ? e.message : t("app.disconnected"),
        }),
    );
  }, [token]);

  if (boot.state === "connecting")
    return (
      <p className="boot" role="status">
        {t("app.loading")}
      </p>
    );
  if (boot.state === "no-token") {
    return (
      <main className="boot">
        <h1>{t("app.noToken.title")}</h1>
        <p>{t("app.noToken.body")}</p>
      </main>
    );
  }
  if (boot.state === "failed") {
    return (
      <main className="boot">
        <ReloadNotice title={boot.message} />
      </main>
    );
  }
  return (
    <PeerContext.Provider
      value={{
        connection: boot.connection,
        info: boot.info,
        profile: boot.profile,
        setProfile: (profile) => setBoot({ ...boot, profile }),
      }}
    >
      {lost && (
        <div className="lost">
          <ReloadNotice title={t("app.disconnected")} />
        </div>
      )}
      <Shell />
    </PeerContext.Provider>
  );
}

/** The window once connected: the top bar, stored-data warnings and the page the address names. */
export function Shell() {
  const route = useRoute();
  const list = usePeerQuery("communities:list", {}, { refreshOn: ["communities:changed"] });
  // Asking again may fail while the list read before still stands: keep it, and say so.
  const communities = shownValue(list);

  // Open the last community (or the only one) when the address names none.
  useEffect(() => {
    if (route.page !== "home" || !communities || communities.length === 0) return;
    // The address may have moved on since this render (a link followed while the list loaded):
    // never pull someone away from where they went.
    if (parseRoute(window.location.hash).page !== "home") return;
    const last = localStorage.getItem(LAST_COMMUNITY);
    const pick = communities.find((c) => c.id === last) ?? communities[0];
    if (pick)
      navigate({ page: "community", communityId: pick.id, section: "stories", docId: null });
  }, [route, communities]);

  useEffect(() => {
    if (route.page === "community") localStorage.setItem(LAST_COMMUNITY, route.communityId);
  }, [route]);

  const current =
    route.page === "community" ? communities?.find((c) => c.id === route.communityId) : undefined;

  return (
    <>
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="topbar">
        <a className="brand" href={href({ page: "home" })}>
          {t("app.name")}
        </a>
        {communities && communities.length > 0 && (
          <CommunitySwitcher communities={communities} currentId={current?.id ?? null} />
        )}
        <a className="profile-link" href={href({ page: "profile" })}>
          {t("nav.profile")}
        </a>
      </header>
      <StorageWarnings />
      {list.state === "failed" && communities !== null && (
        <div className="warnings">
          <ReloadNotice title={t("app.listFailed")}>{list.error.message}</ReloadNotice>
        </div>
      )}
      {route.page === "new" ? (
        <CreateCommunity />
      ) : route.page === "join" ? (
        <JoinPage />
      ) : route.page === "profile" ? (
        <ProfilePage />
      ) : route.page === "restore" ? (
        <RestorePage key={route.path ?? ""} initialPath={route.path} />
      ) : route.page === "community" && current ? (
        <CommunityPage key={current.id} summary={current} route={route} />
      ) : communities === null ? (
        list.state === "failed" ? (
          <main id="main" className="boot">
            <ReloadNotice title={t("app.listFailed")}>{list.error.message}</ReloadNotice>
          </main>
        ) : (
          <p className="boot" role="status">
            {t("common.loading")}
          </p>
        )
      ) : communities.length === 0 ? (
        <main id="main" className="welcome">
          <EmptyState
            heading="h1"
            title={t("welcome.title")}
            action={
              <div className="actions">
                <a className="button primary" href={href({ page: "new" })}>
                  {t("welcome.create")}
                </a>
                <a className="button" href={href({ page: "join" })}>
                  {t("welcome.join")}
                </a>
                <a className="button" href={href({ page: "restore", path: null })}>
                  {t("welcome.restore")}
                </a>
              </div>
            }
          >
            {t("welcome.body")}
          </EmptyState>
        </main>
      ) : (
        <p className="boot" role="status">
          {t("common.loading")}
        </p>
      )}
    </>
  );
}
