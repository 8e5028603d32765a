// Every string the main process shows a person, in one place, so a translation only has to swap
// this table. Keys name the place a string appears, not its wording.

export const STRINGS = {
  "app.name": "Meitheal",

  "menu.file": "File",
  "menu.quit": "Quit Meitheal",
  "menu.closeWindow": "Close Window",
  "menu.edit": "Edit",
  "menu.undo": "Undo",
  "menu.redo": "Redo",
  "menu.cut": "Cut",
  "menu.copy": "Copy",
  "menu.paste": "Paste",
  "menu.pasteAndMatchStyle": "Paste and Match Style",
  "menu.delete": "Delete",
  "menu.selectAll": "Select All",
  "menu.view": "View",
  "menu.reload": "Reload",
  "menu.forceReload": "Force Reload",
  "menu.toggleDevTools": "Toggle Developer Tools",
  "menu.resetZoom": "Actual Size",
  "menu.zoomIn": "Zoom In",
  "menu.zoomOut": "Zoom Out",
  "menu.toggleFullScreen": "Toggle Full Screen",
  "menu.window": "Window",
  "menu.minimize": "Minimize",
  "menu.zoom": "Zoom",
  "menu.front": "Bring All to Front",
  "menu.help": "Help",
  "menu.about": "About Meitheal",
  "menu.services": "Services",
  "menu.hide": "Hide Meitheal",
  "menu.hideOthers": "Hide Others",
  "menu.unhide": "Show All",

  "about.detail":
    "Version {version}\nCo-written stories, practice logs and inquiry maps for communities of practice, synced directly between your laptops.",
  "dialog.ok": "OK",

  "peer.crashed.message": "The Meitheal peer stopped unexpectedly.",
  "peer.crashed.detail":
    "Your saved work is safe. Restart the peer to keep working? Open windows will reload.",
  "peer.crashed.restart": "Restart",
  "peer.crashed.quit": "Quit Meitheal",
  "peer.fatal.message": "Meitheal could not start.",

  "backup.confirm.message": "Restore “{name}” from this backup?",
  "backup.confirm.detail":
    "{documents} documents, written {date}.\n{path}\n\nIf this community is already on this device, the backup is merged into it: nothing here is lost or duplicated. A backup holds the community's key, so keep it as safe as this laptop.",
  "backup.confirm.members":
    "Its members ({devices}), whose devices may then sync with this one: {list}. Restore it only if these are the people you expect.",
  "backup.confirm.added":
    "It adds {devices} to the member list on this device: {list}. They may then sync with it and read everything in the community. Restore it only if you know them.",
  "backup.confirm.removed": "It removes {devices} from the member list, for good: {list}.",
  "backup.confirm.unsealed":
    "This backup is not sealed: it was written by an older version of Meitheal, so nothing shows whether it was changed since. Restore it only if it has been in safe hands.",
  "backup.member.one": "{name} (1 device)",
  "backup.member.many": "{name} ({count} devices)",
  "backup.devices.one": "1 device",
  "backup.devices.many": "{count} devices",
  "backup.confirm.restore": "Restore",
  "backup.confirm.cancel": "Cancel",
  "backup.done.message": "“{name}” is restored.",
  "backup.done.detail":
    "To sync with the others again, ask a member to invite this device (Sync → Invite a device), then join with the code here. Its documents then merge; nothing is copied twice.",
  "backup.failed.message": "The backup was not restored.",

  "files.filter.markdown": "Markdown, text or zip",
  "files.filter.backup": "Meitheal backup",
  "files.filter.bundle": "Meitheal offline bundle",
  "files.filter.export": "E-book, web page, PDF or zip",
  "files.filter.harvest": "Web page or PDF",
  "files.filter.map": "Picture (SVG or PNG)",
  "files.filter.all": "All files",
  "files.title.open.import": "Choose Markdown files to import",
  "files.title.open.backup": "Choose a backup to restore",
  "files.title.open.bundle": "Choose an offline bundle to read",
  "files.title.open.export": "Choose a file",
  "files.title.open.harvest": "Choose a file",
  "files.title.open.map": "Choose a file",
  "files.title.save.import": "Save as",
  "files.title.save.backup": "Save the backup",
  "files.title.save.bundle": "Save the offline bundle",
  "files.title.save.export": "Save the export",
  "files.title.save.harvest": "Save the harvest report",
  "files.title.save.map": "Save the map",
} as const;

export type StringKey = keyof typeof STRINGS;

/** The text for `key`, with `{name}` placeholders filled from `params`. */
export function t(key: StringKey, params: Readonly<Record<string, string>> = {}): string {
  return STRINGS[key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
