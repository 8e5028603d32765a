import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { setLocale } from "./i18n/index.ts";
import "./styles.css";

setLocale(navigator.language.split("-")[0] ?? "en");
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
