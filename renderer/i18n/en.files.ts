// English strings of choosing and saving files (renderer/features/transfer/files.ts, FileChooser),
// spread into en.ts. Keys start with "files.".
export const filesEn = {
  "files.chooseOne": "Choose a file…",
  "files.chooseMany": "Choose files…",
  "files.dropHint": "Or drop files here.",
  "files.dropHint.one": "Or drop the file here.",
  "files.chosen": "Chosen: {names}",
  "files.dropped": "Dropped: {names}",
  "files.chosenList": "Chosen files",
  "files.advanced": "Advanced: type a path on this device",
  "files.pathHint":
    "The full path of a file on the computer the peer runs on (or a USB stick there); ~/ is the home folder there.",
  "files.pathHint.many":
    "Full paths on the computer the peer runs on, one a line: files, folders or zips; ~/ is the home folder there.",
  "files.pathTarget": "Or save it on the peer's computer, at",
  "files.noneChosen": "Choose a file first.",
  "files.noneChosen.many": "Choose at least one file first.",
  "files.sending": "Sending to the peer…",
  "files.receiving": "Downloading…",
  "files.bytes": "{done} of {total}",
  "files.downloaded": "“{name}”, in your browser’s downloads.",
  "files.downloadFailed": "The file was written but could not be downloaded",
  "files.downloadFailed.detail":
    "Nothing on the peer changed. Write it again to download it again.",
  "files.noToken":
    "This window has lost the peer's key. Nothing was sent. Open the address the peer printed, then try again.",
  "files.refused": "The peer refused the file (HTTP {status}). Nothing was kept. Try again.",
  "files.sendFailed":
    "“{name}” could not be sent to the peer: the connection failed. Nothing was kept. Check that the peer is still running, then try again.",
  "files.fetchFailed":
    "“{name}” could not be fetched from the peer: the connection failed. Check that the peer is still running, then write the file again.",
  "files.tooLarge":
    "“{name}” is larger than {mb} MB, more than a browser can send to the peer. Nothing was sent. Give its path under “Advanced: type a path on this device” instead.",
  "files.saveAs": "Choose where to save…",
} as const;
