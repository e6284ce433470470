// Connecting to the shared engine against a stand-in engine (test/fixtures/fake-engine/shared-engine.mjs):
// windows starting at once start one engine; a socket left by a killed engine is replaced; an engine
// of another build is refused with versionMismatch.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EngineError } from "../../../src/protocol/engine.js";
import type { EngineLink } from "../../../src/supervisor/engineLink.js";
import { engineDirEnv } from "../../../src/supervisor/engineEndpoint.js";
import { connectSharedEngine } from "../../../src/supervisor/sharedEngine.js";
import { isProcessAlive } from "../../../src/supervisor/spawnLock.js";

const enginePath = path.resolve("test/fixtures/fake-engine/shared-engine.mjs");
let scratch: string;
let links: EngineLink[];

beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "shared-engine-"));
  links = [];
});

afterEach(() => {
  for (const link of links) link.close();
  for (const pid of startedPids()) if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

const startsFile = () => path.join(scratch, "starts");
const startedPids = () => {
  try {
    return readFileSync(startsFile(), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

async function connect(env: Record<string, string> = {}, onOutput?: (text: string) => void): Promise<EngineLink> {
  const link = await connectSharedEngine(
    { enginePath, env: { [engineDirEnv]: path.join(scratch, "sockets"), FAKE_ENGINE_STARTS: startsFile(), ...env }, idleExitMs: 5_000, startTimeoutMs: 10_000, onOutput },
    { modelPath: "/models/fake.gguf" },
  );
  links.push(link);
  return link;
}

describe("connectSharedEngine", () => {
  it("passes the engine's output, written to its log, to the window as it comes", async () => {
    const output: string[] = [];
    const first = await connect({}, (text) => output.push(text));
    await connect();
    for (let i = 0; i < 100 && !output.join("\n").includes("fake engine: client 2 connected"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(output.join("\n")).toContain("fake engine: client 2 connected");
    // Followed: nothing is left to read from the log when the link ends.
    expect(first.recentOutput()).toEqual([]);
  });

  it("of five windows connecting at once, exactly one starts the engine and all reach it", async () => {
    const connected = await Promise.all(Array.from({ length: 5 }, () => connect()));
    expect(startedPids()).toHaveLength(1);
    expect(new Set(connected.map((link) => link.pid))).toEqual(new Set(startedPids()));
    expect(connected.every((link) => link.shared && link.isLive())).toBe(true);
  });

  it("after kill -9 the link ends, and the next connection starts one new engine over the stale socket", async () => {
    const first = await connect();
    process.kill(first.pid!, "SIGKILL");
    await first.ended;
    expect(first.endDescription()).toMatch(/shared engine's connection closed/);
    const [again, other] = await Promise.all([connect(), connect()]);
    expect(startedPids()).toHaveLength(2);
    expect(again.pid).toBe(other.pid);
    expect(again.pid).not.toBe(first.pid);
  });

  it("a connection dropped before the handshake answered is tried again on the same engine", async () => {
    const link = await connect({ FAKE_ENGINE_DROP_CONNECTIONS: "2" });
    expect(link.isLive()).toBe(true);
    expect(startedPids()).toEqual([link.pid]);
  });

  it("an engine that keeps dropping connections before the handshake is reported, not retried forever", async () => {
    const refused = await connect({ FAKE_ENGINE_DROP_CONNECTIONS: "100" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EngineError);
    expect(refused).toMatchObject({ code: "engineUnavailable" });
    expect(startedPids()).toHaveLength(1);
  });

  it("refuses an engine of another build with versionMismatch", async () => {
    const refused = await connect({ FAKE_ENGINE_BUILD: "p1-0000000000000000" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EngineError);
    expect(refused).toMatchObject({ code: "versionMismatch" });
  });

  it("closing one window's link leaves the engine serving the other", async () => {
    const [a, b] = [await connect(), await connect()];
    a.close();
    await a.ended;
    expect(isProcessAlive(b.pid!)).toBe(true);
    expect(b.isLive()).toBe(true);
  });
});
