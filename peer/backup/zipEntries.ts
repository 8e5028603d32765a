// The entries of a backup zip, read strictly: every byte of the file must belong to the zip that
// Meitheal writes (shared/export/zip.ts, entries stored), or the file is refused.
//
// A general zip reader (fflate's unzipSync among them) looks for the end record anywhere in the
// last 64 KB, follows the central directory and ignores the rest: bytes appended to a backup, a
// comment, a local header that disagrees with the directory, a CRC that does not match, were all
// accepted. The checksums and the seal cover what the entries hold; this covers the rest, so a
// backup is either exactly what was written or refused:
//
//   local header, name, data   for each entry, one after another from byte 0, stored (method 0)
//   central directory          one record per entry, in the same order, agreeing field by field
//                              with its local header; no comments, one disk
//   end record                 the last 22 bytes of the file, no comment, counting the entries
//
// and each entry's CRC-32 matches its data. Fields only the directory holds (the version that made
// it, file attributes) are the same for every entry, as one writer makes them.
import { crc32 } from "node:zlib";

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const END_SIG = 0x06054b50;
const LOCAL_BYTES = 30;
const CENTRAL_BYTES = 46;
const END_BYTES = 22;
/** General purpose flags: bit 0 encrypted, bit 3 sizes in a trailing data descriptor. */
const ENCRYPTED = 0x0001;
const DESCRIPTOR = 0x0008;

export type ZipEntries = { files: Map<string, Uint8Array> } | { why: string };

type Entry = {
  name: string;
  nameBytes: Uint8Array;
  extra: Uint8Array;
  versionNeeded: number;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc: number;
  size: number;
  offset: number;
};

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/** Where the end record is, and how many bytes follow it; undefined when there is none. */
function findEnd(view: DataView, length: number): { at: number; trailing: number } | undefined {
  // A valid end record names a directory that ends where the record starts. Searched from the end,
  // so bytes appended after the backup are found and counted, however many.
  for (let at = length - END_BYTES; at >= 0; at--) {
    if (view.getUint32(at, true) !== END_SIG) continue;
    const size = view.getUint32(at + 12, true);
    const offset = view.getUint32(at + 16, true);
    if (offset + size === at) return { at, trailing: length - at - END_BYTES };
  }
  return undefined;
}

/** The backup zip's entries by name (views into `bytes`), or why it is not one whole zip. */
export function readZipEntries(bytes: Uint8Array): ZipEntries {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.byteLength;
  const end = findEnd(view, length);
  if (!end)
    return {
      why: "its end is missing, or not where its directory says: it was cut short, or bytes were added or written over",
    };
  if (end.trailing > 0) return { why: `${end.trailing} bytes follow the end of the backup` };
  const at = end.at;
  const disk = view.getUint16(at + 4, true);
  const directoryDisk = view.getUint16(at + 6, true);
  const onDisk = view.getUint16(at + 8, true);
  const count = view.getUint16(at + 10, true);
  // findEnd made sure the directory ends where the end record starts.
  const directoryAt = view.getUint32(at + 16, true);
  const commentLength = view.getUint16(at + 20, true);
  if (disk !== 0 || directoryDisk !== 0 || onDisk !== count || commentLength !== 0)
    return { why: "its end record is not as Meitheal writes it" };

  const names = new TextDecoder("utf-8", { fatal: true });
  const entries: Entry[] = [];
  let madeBy: number | undefined;
  let attributes: number | undefined;
  let pos = directoryAt;
  for (let i = 0; i < count; i++) {
    if (pos + CENTRAL_BYTES > at || view.getUint32(pos, true) !== CENTRAL_SIG)
      return { why: `directory record ${i + 1} is not where it should be` };
    const nameLength = view.getUint16(pos + 28, true);
    const extraLength = view.getUint16(pos + 30, true);
    const commentLength = view.getUint16(pos + 32, true);
    const next = pos + CENTRAL_BYTES + nameLength + extraLength + commentLength;
    if (next > at) return { why: `directory record ${i + 1} runs past the directory` };
    const entryMadeBy = view.getUint16(pos + 4, true);
    const entryAttributes = view.getUint32(pos + 38, true);
    madeBy ??= entryMadeBy;
    attributes ??= entryAttributes;
    const size = view.getUint32(pos + 20, true);
    const nameBytes = bytes.subarray(pos + CENTRAL_BYTES, pos + CENTRAL_BYTES + nameLength);
    let name: string;
    try {
      name = names.decode(nameBytes);
    } catch {
      return { why: `directory record ${i + 1} has a name that is not text` };
    }
    const entry: Entry = {
      name,
      nameBytes,
      extra: bytes.subarray(pos + CENTRAL_BYTES + nameLength, next - commentLength),
      versionNeeded: view.getUint16(pos + 6, true),
      flags: view.getUint16(pos + 8, true),
      method: view.getUint16(pos + 10, true),
      time: view.getUint16(pos + 12, true),
      date: view.getUint16(pos + 14, true),
      crc: view.getUint32(pos + 16, true),
      size,
      offset: view.getUint32(pos + 42, true),
    };
    const label = `entry ${name.slice(0, 80)}`;
    if (
      commentLength !== 0 ||
      view.getUint16(pos + 34, true) !== 0 || // the disk it starts on
      view.getUint16(pos + 36, true) !== 0 || // internal attributes
      entryMadeBy !== madeBy ||
      entryAttributes !== attributes
    )
      return { why: `the directory record of ${label} is not as Meitheal writes it` };
    if (entry.method !== 0 || view.getUint32(pos + 24, true) !== size)
      return { why: `${label} is compressed, and backups are stored` };
    if ((entry.flags & (ENCRYPTED | DESCRIPTOR)) !== 0)
      return { why: `${label} is encrypted or sized after its data` };
    entries.push(entry);
    pos = next;
  }
  if (pos !== at) return { why: "its directory holds more than its records" };

  const files = new Map<string, Uint8Array>();
  let expected = 0;
  for (const entry of entries) {
    const label = `entry ${entry.name.slice(0, 80)}`;
    if (entry.offset !== expected)
      return {
        why: `${label} is not where the one before it ends (${expected > entry.offset ? "they overlap" : "bytes lie between them"})`,
      };
    if (
      entry.offset + LOCAL_BYTES > directoryAt ||
      view.getUint32(entry.offset, true) !== LOCAL_SIG
    )
      return { why: `the header of ${label} is missing` };
    const h = entry.offset;
    const nameLength = view.getUint16(h + 26, true);
    const extraLength = view.getUint16(h + 28, true);
    const dataAt = h + LOCAL_BYTES + nameLength + extraLength;
    const dataEnd = dataAt + entry.size;
    if (dataEnd > directoryAt) return { why: `${label} runs into the directory` };
    if (
      view.getUint16(h + 4, true) !== entry.versionNeeded ||
      view.getUint16(h + 6, true) !== entry.flags ||
      view.getUint16(h + 8, true) !== entry.method ||
      view.getUint16(h + 10, true) !== entry.time ||
      view.getUint16(h + 12, true) !== entry.date ||
      view.getUint32(h + 14, true) !== entry.crc ||
      view.getUint32(h + 18, true) !== entry.size ||
      view.getUint32(h + 22, true) !== entry.size ||
      !sameBytes(bytes.subarray(h + LOCAL_BYTES, h + LOCAL_BYTES + nameLength), entry.nameBytes) ||
      !sameBytes(bytes.subarray(h + LOCAL_BYTES + nameLength, dataAt), entry.extra)
    )
      return { why: `the header of ${label} does not agree with the directory` };
    const data = bytes.subarray(dataAt, dataEnd);
    if (crc32(data) >>> 0 !== entry.crc) return { why: `${label} does not match its CRC` };
    if (files.has(entry.name)) return { why: `it holds ${label} twice` };
    files.set(entry.name, data);
    expected = dataEnd;
  }
  if (expected !== directoryAt)
    return { why: "bytes lie between its last entry and its directory" };
  return { files };
}
