import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { zipFiles } from "../../shared/export/zip.ts";
import { readZipEntries } from "./zipEntries.ts";

const written = () =>
  zipFiles(
    [
      { path: "manifest.json", data: "{}", store: true },
      { path: "documents/a.automerge", data: "alpha", store: true },
    ],
    Date.UTC(2025, 5, 1),
  );

const why = (bytes: Uint8Array) => {
  const read = readZipEntries(bytes);
  return "why" in read ? read.why : undefined;
};

describe("readZipEntries", () => {
  it("reads a zip as Meitheal writes it", () => {
    const read = readZipEntries(written());
    expect("files" in read && [...read.files.keys()]).toEqual([
      "manifest.json",
      "documents/a.automerge",
    ]);
    expect(
      "files" in read && new TextDecoder().decode(read.files.get("documents/a.automerge")),
    ).toBe("alpha");
  });

  it("counts bytes appended, and finds a file cut short", () => {
    const zip = written();
    expect(why(Buffer.concat([zip, new Uint8Array(10)]))).toBe(
      "10 bytes follow the end of the backup",
    );
    expect(why(zip.subarray(0, zip.length - 1))).toMatch(/its end is missing/);
  });

  it("refuses bytes added before the zip, a compressed entry, a name twice", () => {
    const zip = written();
    expect(why(Buffer.concat([new Uint8Array(4), zip]))).toMatch(/not where its directory says/);
    const deflated = zipSync({ "manifest.json": [strToU8("{}".repeat(50)), { level: 6 }] });
    expect(why(deflated)).toMatch(/is compressed/);
    expect(why(withTwoEntriesNamedAlike())).toMatch(/holds entry manifest\.json twice/);
  });

  it("refuses a CRC that does not match", () => {
    const zip = Uint8Array.from(written());
    // The first entry's data, right after its 30-byte header and 13-byte name.
    zip[30 + 13] = (zip[30 + 13] ?? 0) ^ 1;
    expect(why(zip)).toBe("entry manifest.json does not match its CRC");
  });
});

/** Two entries named manifest.json, each whole: the second name written over a distinct one. */
function withTwoEntriesNamedAlike(): Uint8Array {
  const zip = Uint8Array.from(
    zipSync({
      "manifest.json": [strToU8("{}"), { level: 0, mtime: Date.UTC(2025, 5, 1) }],
      "manifest.jsom": [strToU8("{}"), { level: 0, mtime: Date.UTC(2025, 5, 1) }],
    }),
  );
  const text = Buffer.from(zip);
  for (let at = text.indexOf("manifest.jsom"); at >= 0; at = text.indexOf("manifest.jsom", at + 1))
    zip[at + 12] = "n".charCodeAt(0);
  return zip;
}
