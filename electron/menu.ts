// The application menu. Built from plain data so a test can read it without Electron, and so the
// platform differences (the macOS app menu, where Quit lives) sit in one place.
import { Menu, type MenuItemConstructorOptions } from "electron";
import { t } from "./strings.ts";

export type MenuContext = {
  platform: NodeJS.Platform;
  /** Reload and developer tools are for people building Meitheal; packaged builds hide them. */
  isPackaged: boolean;
  onAbout: () => void;
};

export function menuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const mac = ctx.platform === "darwin";
  const about: MenuItemConstructorOptions = {
    id: "about",
    label: t("menu.about"),
    click: () => ctx.onAbout(),
  };
  const quit: MenuItemConstructorOptions = { role: "quit", label: t("menu.quit") };

  const appMenu: MenuItemConstructorOptions = {
    label: t("app.name"),
    submenu: [
      about,
      { type: "separator" },
      { role: "services", label: t("menu.services") },
      { type: "separator" },
      { role: "hide", label: t("menu.hide") },
      { role: "hideOthers", label: t("menu.hideOthers") },
      { role: "unhide", label: t("menu.unhide") },
      { type: "separator" },
      quit,
    ],
  };

  const file: MenuItemConstructorOptions = {
    label: t("menu.file"),
    // On macOS Quit belongs to the app menu; File keeps Close Window as people expect there.
    submenu: mac ? [{ role: "close", label: t("menu.closeWindow") }] : [quit],
  };

  const edit: MenuItemConstructorOptions = {
    label: t("menu.edit"),
    submenu: [
      { role: "undo", label: t("menu.undo") },
      { role: "redo", label: t("menu.redo") },
      { type: "separator" },
      { role: "cut", label: t("menu.cut") },
      { role: "copy", label: t("menu.copy") },
      { role: "paste", label: t("menu.paste") },
      ...(mac
        ? [{ role: "pasteAndMatchStyle", label: t("menu.pasteAndMatchStyle") } as const]
        : []),
      { role: "delete", label: t("menu.delete") },
      { type: "separator" },
      { role: "selectAll", label: t("menu.selectAll") },
    ],
  };

  const developer: MenuItemConstructorOptions[] = ctx.isPackaged
    ? []
    : [
        { role: "reload", label: t("menu.reload") },
        { role: "forceReload", label: t("menu.forceReload") },
        { role: "toggleDevTools", label: t("menu.toggleDevTools") },
        { type: "separator" },
      ];

  const view: MenuItemConstructorOptions = {
    label: t("menu.view"),
    submenu: [
      ...developer,
      { role: "resetZoom", label: t("menu.resetZoom") },
      { role: "zoomIn", label: t("menu.zoomIn") },
      { role: "zoomOut", label: t("menu.zoomOut") },
      { type: "separator" },
      { role: "togglefullscreen", label: t("menu.toggleFullScreen") },
    ],
  };

  const windowMenu: MenuItemConstructorOptions = {
    label: t("menu.window"),
    role: "windowMenu",
    submenu: [
      { role: "minimize", label: t("menu.minimize") },
      ...(mac
        ? [
            { role: "zoom", label: t("menu.zoom") } as const,
            { type: "separator" } as const,
            { role: "front", label: t("menu.front") } as const,
          ]
        : [{ role: "close", label: t("menu.closeWindow") } as const]),
    ],
  };

  const help: MenuItemConstructorOptions = {
    label: t("menu.help"),
    role: "help",
    submenu: [about],
  };

  return [...(mac ? [appMenu] : []), file, edit, view, windowMenu, help];
}

export function installMenu(ctx: MenuContext): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(ctx)));
}
