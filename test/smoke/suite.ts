// The smoke suite of one entry: the peer started as people start it, every case of cases.ts called
// through the window's path, then the peer stopped as people stop it. What was covered, and how
// long it took, is printed for the CI log.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METHODS, type Method } from "../../shared/contract.ts";
import { ErrorCode } from "../../shared/result.ts";
import { makeTempDir, removeDir } from "../helpers/tmp.ts";
import { CASES, CRASH_WORDS, freshState, IMPORT_FILE, type SmokeCase } from "./cases.ts";
import { START, type EntryName, type SmokePeer } from "./entries.ts";

export type SmokeOptions = {
  /** Work before the peer can start (the desktop entry's build), timed apart. */
  prepare?: () => Promise<void>;
  /** What else to check once the peer has stopped (the bin: its CLI reads what was saved). */
  afterStop?: (dataDir: string) => Promise<void>;
};

export function smokeSuite(entry: EntryName, options: SmokeOptions = {}): void {
  describe(`${entry}: every contract method, on the peer as people start it`, () => {
    let dir = "";
    let peer: SmokePeer | undefined;
    const state = freshState("");
    const called = new Map<Method, "ok" | ErrorCode>();
    const times = { prepare: 0, start: 0, calls: 0 };

    beforeAll(async () => {
      dir = await makeTempDir(`meitheal-smoke-${entry}-`);
      state.dir = join(dir, "files");
      await mkdir(join(state.dir, "notes"), { recursive: true });
      await mkdir(join(state.dir, "usb"));
      await writeFile(join(state.dir, ...IMPORT_FILE.path), IMPORT_FILE.text);
      let t = Date.now();
      await options.prepare?.();
      times.prepare = Date.now() - t;
      t = Date.now();
      peer = await START[entry](join(dir, "data"));
      times.start = Date.now() - t;
    });

    afterAll(async () => {
      peer?.kill();
      const errors = [...called.values()].filter((v) => v !== "ok").length;
      console.log(
        `smoke ${entry}: ${called.size} of ${METHODS.length} contract methods called ` +
          `(${called.size - errors} ok, ${errors} the expected error); ` +
          (times.prepare ? `build ${(times.prepare / 1000).toFixed(1)} s, ` : "") +
          `start ${(times.start / 1000).toFixed(1)} s, calls ${(times.calls / 1000).toFixed(1)} s`,
      );
      if (dir) await removeDir(dir);
    });

    for (const method of Object.keys(CASES) as Method[]) {
      it(`answers ${method}`, async () => {
        if (!peer) throw new Error("the peer did not start");
        const smoke = CASES[method] as SmokeCase<Method>;
        const t = Date.now();
        const result = await peer.rpc.call(method, smoke.args(state));
        expect(typeof result.ok).toBe("boolean");
        const answer = result.ok ? "ok" : result.error.code;
        const said = result.ok ? "ok" : `${result.error.code}: ${result.error.message}`;
        if (!result.ok) expect(result.error.message, said).not.toMatch(CRASH_WORDS);
        expect(answer, said).not.toBe(ErrorCode.Internal);
        if (smoke.expect === "ok") expect(said).toBe("ok");
        else expect(smoke.expect, said).toContain(answer);
        called.set(method, answer);
        if (result.ok) await smoke.check?.(result.value, state, peer);
        times.calls += Date.now() - t;
      });
    }

    it("called every method of the contract", () => {
      expect([...called.keys()].sort()).toEqual([...METHODS].sort());
    });

    it("stops cleanly when asked, as its user stops it", async () => {
      if (!peer) throw new Error("the peer did not start");
      const code = await peer.stop();
      expect(peer.stopped.codes, `exit code ${code}:\n${peer.output()}`).toContain(code);
      if (peer.stopped.says) expect(peer.output()).toMatch(peer.stopped.says);
      expect(peer.output()).not.toMatch(/internal task failed|Unhandled|TypeError|ReferenceError/);
      await options.afterStop?.(join(dir, "data"));
    });
  });
}
