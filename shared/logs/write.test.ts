import { Repo, generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import { describe, expect, it } from "vitest";
import { initCommunity } from "../ops/community.ts";
import type { OpContext } from "../ops/context.ts";
import { listVolume, logVolumes } from "../ops/logVolumes.ts";
import type { CommunityIndex } from "../schema/community.ts";
import { logVolumeKind } from "../schema/logVolume.ts";
import { addEntryToLog } from "./write.ts";

const setup = () => {
  let next = 0;
  const ctx: OpContext = { now: () => 5, newId: () => `id${++next}` };
  const repo = new Repo({ network: [] });
  const index = repo.create<CommunityIndex>();
  index.change((d) => initCommunity(d, { name: "Hub", purpose: "" }, ctx));
  return { ctx, repo, target: { repo, index, communityId: index.documentId, logId: "log-1" } };
};

const entry = (date: string) => ({ date, kind: "gathering" as const, by: "k", byName: "A" });

describe("addEntryToLog", () => {
  it("makes one volume per quarter, lists it in the index and writes the entry into it", async () => {
    const { ctx, repo, target } = setup();
    const a = await addEntryToLog(target, entry("2024-01-05"), ctx);
    const b = await addEntryToLog(target, entry("2024-03-30"), ctx);
    const c = await addEntryToLog(target, entry("2024-04-01"), ctx);
    expect(b.volumeId).toBe(a.volumeId);
    expect(c.volumeId).not.toBe(a.volumeId);
    expect(logVolumes(target.index.doc(), "log-1")).toEqual([
      { id: c.volumeId, periods: ["2024-Q2"] },
      { id: a.volumeId, periods: ["2024-Q1"] },
    ]);
    const first = await repo.find(`automerge:${a.volumeId}` as never);
    const read = logVolumeKind.read(first.doc());
    expect(read.state).toBe("ok");
    if (read.state !== "ok") return;
    expect(read.doc.logId).toBe("log-1");
    expect(Object.keys(read.doc.entries).sort()).toEqual([a.entryId, b.entryId].sort());
    await repo.shutdown();
  });

  it("uses the caller's open volume when it has one", async () => {
    const { ctx, repo, target } = setup();
    const a = await addEntryToLog(target, entry("2024-01-05"), ctx);
    const handle = await repo.find(`automerge:${a.volumeId}` as never);
    const asked: string[] = [];
    await addEntryToLog(target, entry("2024-02-05"), ctx, (id) => {
      asked.push(id);
      return handle as never;
    });
    expect(asked).toEqual([a.volumeId]);
    await repo.shutdown();
  });

  it("keeps the entry in a new volume when the quarter's volume has not arrived here", async () => {
    const { ctx, repo, target } = setup();
    const ghost = parseAutomergeUrl(generateAutomergeUrl()).documentId;
    target.index.change((d) => listVolume(d, ghost, { logId: "log-1", quarter: "2024-Q1" }, ctx));
    const a = await addEntryToLog(target, entry("2024-01-05"), ctx);
    expect(a.volumeId).not.toBe(ghost);
    const b = await addEntryToLog(target, entry("2024-02-05"), ctx);
    expect(b.volumeId).toBe(a.volumeId);
    expect(
      logVolumes(target.index.doc(), "log-1")
        .map((v) => v.id)
        .sort(),
    ).toEqual([ghost, a.volumeId].sort());
    await repo.shutdown();
  });
});
