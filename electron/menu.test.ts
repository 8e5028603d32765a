import type { MenuItemConstructorOptions } from "electron";
import { describe, expect, it, vi } from "vitest";

const fake = vi.hoisted(() => ({
  Menu: {
    buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
    setApplicationMenu: vi.fn(),
  },
}));
vi.mock("electron", () => ({ Menu: fake.Menu }));

const { installMenu, menuTemplate } = await import("./menu.ts");
const { STRINGS, t } = await import("./strings.ts");

const ctx = (platform: NodeJS.Platform, isPackaged: boolean, onAbout = () => undefined) => ({
  platform,
  isPackaged,
  onAbout,
});

const submenu = (
  template: MenuItemConstructorOptions[],
  label: string,
): MenuItemConstructorOptions[] => {
  const menu = template.find((m) => m.label === label);
  if (!menu || !Array.isArray(menu.submenu)) throw new Error(`no ${label} menu`);
  return menu.submenu;
};
const roles = (items: MenuItemConstructorOptions[]) =>
  items.map((i) => i.role).filter((r) => r !== undefined);
const allItems = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
  items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? allItems(i.submenu) : [])]);

describe("menuTemplate", () => {
  it("has the standard menus in order on Windows and Linux, with Quit under File", () => {
    const template = menuTemplate(ctx("linux", true));
    expect(template.map((m) => m.label)).toEqual(["File", "Edit", "View", "Window", "Help"]);
    expect(roles(submenu(template, "File"))).toEqual(["quit"]);
  });

  it("gives Edit the editing roles, so shortcuts work in every text field", () => {
    const edit = roles(submenu(menuTemplate(ctx("win32", true)), "Edit"));
    for (const role of ["undo", "redo", "cut", "copy", "paste", "selectAll"])
      expect(edit).toContain(role);
  });

  it("hides reload and developer tools in a packaged app and shows them while developing", () => {
    const packaged = roles(submenu(menuTemplate(ctx("linux", true)), "View"));
    expect(packaged).not.toContain("toggleDevTools");
    expect(packaged).not.toContain("reload");
    expect(packaged).toEqual(
      expect.arrayContaining(["resetZoom", "zoomIn", "zoomOut", "togglefullscreen"]),
    );
    const developing = roles(submenu(menuTemplate(ctx("linux", false)), "View"));
    expect(developing).toEqual(expect.arrayContaining(["reload", "toggleDevTools"]));
  });

  it("follows macOS: an app menu first with About and Quit, Close Window under File", () => {
    const template = menuTemplate(ctx("darwin", true));
    expect(template[0]?.label).toBe("Meitheal");
    const appMenu = template[0]?.submenu as MenuItemConstructorOptions[];
    expect(appMenu.map((i) => i.id ?? i.role)).toEqual(
      expect.arrayContaining(["about", "hide", "quit"]),
    );
    expect(roles(submenu(template, "File"))).toEqual(["close"]);
    expect(roles(submenu(template, "Edit"))).toContain("pasteAndMatchStyle");
  });

  it("has an About item under Help that calls back", () => {
    const onAbout = vi.fn();
    const about = submenu(menuTemplate(ctx("linux", true, onAbout)), "Help").find(
      (i) => i.id === "about",
    );
    expect(about?.label).toBe("About Meitheal");
    (about?.click as (() => void) | undefined)?.();
    expect(onAbout).toHaveBeenCalledOnce();
  });

  it("labels every item through the string table, ready for translation", () => {
    const labels = new Set<string>(Object.values(STRINGS));
    for (const platform of ["darwin", "linux"] as const) {
      for (const item of allItems(menuTemplate(ctx(platform, false)))) {
        if (item.type === "separator") continue;
        expect(labels.has(item.label ?? "")).toBe(true);
      }
    }
  });
});

describe("installMenu", () => {
  it("sets the built menu as the application menu", () => {
    installMenu(ctx("linux", true));
    expect(fake.Menu.buildFromTemplate).toHaveBeenCalledOnce();
    expect(fake.Menu.setApplicationMenu).toHaveBeenCalledWith(
      fake.Menu.buildFromTemplate.mock.results[0]?.value,
    );
  });
});

describe("t", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(t("about.detail", { version: "1.2.3" })).toMatch(/^Version 1\.2\.3\n/);
    expect(t("about.detail")).toMatch(/^Version \{version\}/);
    expect(t("menu.quit")).toBe("Quit Meitheal");
  });
});
