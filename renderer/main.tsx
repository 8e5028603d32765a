import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { applyWindowSyncTuning } from "../shared/syncTuning.ts";
import { setLocale } from "./i18n/index.ts";
import "./styles.css";
import "./features/stories/stories.css";
import "./features/sync/sync.css";
import "./features/logs/logs.css";
import "./features/maps/maps.css";
import "./features/links/links.css";
import "./features/collections/collections.css";

// Before any Repo exists: live edits leave within 25 ms instead of automerge-repo's 100 ms.
applyWindowSyncTuning();
setLocale(navigator.language.split("-")[0] ?? "en");
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
