// One real engine (dist/engine.mjs on the synthetic model) shared by several clients, each an
// EngineSupervisor as a VS Code window holds one: one model load, each client served on its own
// sequences, a client leaving mid-request, kill -9 and one restart, a client of another build refused.
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SocketMessageReader, SocketMessageWriter, createMessageConnection } from "vscode-jsonrpc/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalEngine } from "../../src/backends/local/localEngine.js";
import { EngineError, Methods, engineProtocolVersion, type LoadParams, type PromptSegment } from "../../src/protocol/engine.js";
import { engineDirEnv, engineEndpoint } from "../../src/supervisor/engineEndpoint.js";
import { EngineSupervisor, sharedEngineClientSlots } from "../../src/supervisor/engineSupervisor.js";
import { isAlive, waitForState } from "../fixtures/fake-engine/processes";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

let enginePath: string;
let engineCopyDir: string;
let modelPath: string;
let engineDir: string;
const clients: EngineSupervisor[] = [];
const enginePids = new Set<number>();

beforeAll(async () => {
  modelPath = await ensureSyntheticModel();
  engineDir = await mkdtemp(path.join(os.tmpdir(), "deepseek-shared-engine-"));
  // A copy of this build that nothing rebuilds while the tests run (its hash is the build id the
  // handshake checks); inside dist/ so that node-llama-cpp resolves from it as from the original.
  engineCopyDir = await mkdtemp(path.resolve("dist", "shared-engine-test-"));
  enginePath = path.join(engineCopyDir, "engine.mjs");
  await copyFile(path.resolve("dist/engine.mjs"), enginePath);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.stop()));
});

afterAll(async () => {
  // No engine outlives the tests: each exits on its own when idle; any left is killed.
  for (const pid of enginePids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  await rm(engineCopyDir, { recursive: true, force: true });
  if (!process.env.KEEP_ENGINE_DIR) await rm(engineDir, { recursive: true, force: true });
  else console.log(engineDir);
});

function loadParams(): LoadParams {
  return { modelPath, contextSize: 1024, threads: 1 };
}

/** A window; `params` other than the defaults reach an engine of their own (the endpoint is keyed by them). */
function client(logs: string[] = [], idleExitMs = 1_500, params: Partial<LoadParams> = {}): LocalEngine {
  const supervisor = new EngineSupervisor({
    enginePath,
    loadParams: () => ({ ...loadParams(), ...params }),
    env: { [engineDirEnv]: engineDir },
    shared: () => ({ idleExitMs }),
    log: (line) => logs.push(line),
    restartPolicy: { maxCrashes: 5, windowMs: 60_000, baseDelayMs: 50, maxDelayMs: 200 },
  });
  supervisor.onStateChange((state) => {
    if (state.kind === "ready") enginePids.add(state.pid);
  });
  clients.push(supervisor);
  return new LocalEngine(supervisor);
}

const prompt = (words: string): PromptSegment[] => [{ token: "bos" }, { text: words }];
const code = (name: string) => Array.from({ length: 30 }, (_, i) => `function ${name}${i}(value) {\n  return value + ${i};\n}\n`).join("");

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

describe("one engine shared by several clients", () => {
  it("loads the model once for three clients started together, and answers each", async () => {
    const logs: string[] = [];
    const engines = [client(logs), client(logs), client(logs)];
    const infos = await Promise.all(engines.map((engine) => engine.modelInfo()));
    const pids = engines.map((engine) => engine.supervisor.pid);
    expect(new Set(pids).size).toBe(1);
    expect(logs.filter((line) => line.startsWith("started the shared engine"))).toHaveLength(1);
    expect(new Set(infos.map((info) => info.loadMs)).size).toBe(1);
    const results = await Promise.all(
      engines.map((engine, i) => engine.generate({ sequence: "completion", prompt: prompt(`client ${i} says`), maxTokens: 6 })),
    );
    for (const result of results) expect(result.metrics.generatedTokens).toBeGreaterThan(0);
    const status = await engines[0]!.supervisor.request(Methods.status, {});
    expect(status.modelLoads).toBe(1);
    expect(status.clients).toBe(3);
    // The first context (window 0's ghost text, the shared chat and refactor) and one each for the others' ghost text.
    expect(status.contexts).toBe(3);
  });

  it("holds one window's sequences until another window asks: a lone window costs what a forked engine does", async () => {
    const fresh = { contextSize: 768 };
    const [a, b] = [client([], 1_500, fresh), client([], 1_500, fresh)];
    await Promise.all([a.modelInfo(), b.modelInfo()]);
    await a.generate({ sequence: "completion", prompt: prompt("only a asks"), maxTokens: 2 });
    const contexts = async (engine: LocalEngine) => (await engine.supervisor.request(Methods.status, {})).contexts;
    expect(await contexts(a)).toBe(1);
    // b's chat takes the shared chat sequence (a is not chatting): nothing is made for it.
    await b.generate({ sequence: "chat", prompt: prompt("now b chats"), maxTokens: 2 });
    expect(await contexts(b)).toBe(1);
    await b.generate({ sequence: "completion", prompt: prompt("now b types"), maxTokens: 2 });
    expect(await contexts(b)).toBe(2);
    // b closes: its context's memory goes back; a window that comes later makes a new one.
    await b.supervisor.stop();
    for (const deadline = Date.now() + 5_000; (await contexts(a)) !== 1 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await contexts(a)).toBe(1);
    const c = client([], 1_500, fresh);
    const answer = await c.generate({ sequence: "completion", prompt: prompt("c asks"), maxTokens: 2 });
    expect(answer.metrics.generatedTokens).toBeGreaterThan(0);
    expect(await contexts(c)).toBe(2);
  });

  it("a window that chats while another window's chat streams gets a chat sequence of its own and does not wait for that answer", async () => {
    const fresh = { contextSize: 640 };
    const [a, b] = [client([], 1_500, fresh), client([], 1_500, fresh)];
    await Promise.all([a.modelInfo(), b.modelInfo()]);
    const contexts = async () => (await b.supervisor.request(Methods.status, {})).contexts;
    let aDone = false;
    let aStreaming!: () => void;
    const started = new Promise<void>((resolve) => (aStreaming = resolve));
    const stopA = new AbortController();
    const long = a
      .generate({ sequence: "chat", prompt: prompt("a long answer"), maxTokens: 2000, temperature: 0.8 }, { signal: stopA.signal, onText: () => aStreaming() })
      .catch((error: unknown) => error)
      .finally(() => (aDone = true));
    await started;
    const short = await b.generate({ sequence: "chat", prompt: prompt("a short one"), maxTokens: 3 });
    expect(short.metrics.generatedTokens).toBeGreaterThan(0);
    expect(aDone).toBe(false);
    expect(await contexts()).toBe(2);
    stopA.abort();
    await long;
    // b keeps its own chat sequence (its KV is there): no further context when both chat again.
    await Promise.all([a, b].map((engine) => engine.generate({ sequence: "chat", prompt: prompt("again"), maxTokens: 2 })));
    expect(await contexts()).toBe(2);
  });

  it("gives each client its own sequences: one client's prompt does not evict another's KV", async () => {
    const [a, b] = [client(), client()];
    const promptA = prompt(code("alpha"));
    await a.generate({ sequence: "completion", prompt: promptA, maxTokens: 2 });
    await b.generate({ sequence: "completion", prompt: prompt(code("beta")), maxTokens: 2 });
    const again = await a.generate({ sequence: "completion", prompt: promptA, maxTokens: 2 });
    expect(again.metrics.promptTokens).toBeGreaterThan(200);
    expect(again.metrics.reusedTokens).toBeGreaterThanOrEqual(again.metrics.promptTokens - 2);
    expect(sharedEngineClientSlots).toBeGreaterThanOrEqual(2);
  });

  it("a client that leaves mid-request does not disturb the other", async () => {
    const [a, b] = [client(), client()];
    await Promise.all([a.modelInfo(), b.modelInfo()]);
    const pid = a.supervisor.pid!;
    let stopped: Promise<void> | undefined;
    const leaving = a.generate(
      { sequence: "chat", prompt: prompt("a long answer"), maxTokens: 400 },
      { onText: () => void (stopped ??= a.supervisor.stop()) },
    );
    const staying = b.generate({ sequence: "chat", prompt: prompt("another answer"), maxTokens: 40 }, { onText: () => undefined });
    await expect(leaving).rejects.toMatchObject({ code: "engineUnavailable" });
    const result = await staying;
    expect(result.metrics.generatedTokens).toBeGreaterThan(0);
    expect(b.supervisor.state.kind).toBe("ready");
    expect(isAlive(pid)).toBe(true);
    // A's stop has closed its socket once it resolves; the engine sees the close a moment later.
    await stopped;
    const clientsSeen: number[] = [];
    for (const deadline = performance.now() + 5_000; clientsSeen.at(-1) !== 1 && performance.now() < deadline; ) {
      clientsSeen.push((await b.supervisor.request(Methods.status, {})).clients ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(clientsSeen.at(-1), `clients seen: ${clientsSeen.join(",")}`).toBe(1);
  });

  it("after kill -9 every client gets engineCrashed, exactly one engine starts again, and both are served", async () => {
    const logs: string[] = [];
    const [a, b] = [client(logs), client(logs)];
    await Promise.all([a.modelInfo(), b.modelInfo()]);
    const pid = a.supervisor.pid!;
    const starts = () => logs.filter((line) => line.startsWith("started the shared engine")).length;
    const startsBefore = starts();
    const inFlight = [a, b].map((engine) =>
      engine.generate({ sequence: "chat", prompt: prompt("streaming"), maxTokens: 2000 }, { onText: () => undefined }).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = performance.now();
    process.kill(pid, "SIGKILL");
    for (const outcome of await Promise.all(inFlight)) {
      expect(outcome).toBeInstanceOf(EngineError);
      expect(outcome).toMatchObject({ code: "engineCrashed" });
    }
    const [readyA, readyB] = await Promise.all([waitForState(a.supervisor, "ready", 60_000), waitForState(b.supervisor, "ready", 60_000)]);
    const newPid = readyA.kind === "ready" ? readyA.pid : -1;
    expect(newPid).not.toBe(pid);
    expect(readyB.kind === "ready" && readyB.pid).toBe(newPid);
    expect(starts() - startsBefore).toBe(1);
    const results = await Promise.all([a, b].map((engine) => engine.generate({ sequence: "completion", prompt: prompt("again"), maxTokens: 4 })));
    for (const result of results) expect(result.metrics.generatedTokens).toBeGreaterThan(0);
    console.log(`[shared engine] kill -9 → both clients served again in ${Math.round(performance.now() - killedAt)} ms`);
  });

  it("Restart Engine in one window restarts the shared engine once, and every window is served by the new one", async () => {
    const logs: string[] = [];
    const [a, b] = [client(logs), client(logs)];
    await Promise.all([a.modelInfo(), b.modelInfo()]);
    const statesOfB: string[] = [];
    b.supervisor.onStateChange((state) => statesOfB.push(state.kind));
    const pid = a.supervisor.pid!;
    const restarted = await a.supervisor.restart();
    expect(restarted.architecture).toBe("deepseek2");
    expect(isAlive(pid)).toBe(false);
    const newPid = a.supervisor.pid!;
    expect(newPid).not.toBe(pid);
    const result = await b.generate({ sequence: "completion", prompt: prompt("after restart"), maxTokens: 2 });
    expect(result.metrics.generatedTokens).toBeGreaterThan(0);
    expect(b.supervisor.pid).toBe(newPid);
    expect(a.supervisor.state.kind).toBe("ready");
    // The other window was told the engine exits on purpose: it reconnected without reporting a crash.
    expect(statesOfB).not.toContain("restarting");
    expect(statesOfB).toContain("ready");
  });

  it("Stop Engine leaves the engine to another window, ends it in the last one at once, and a closing window keeps it for its idle time", async () => {
    // Settings of their own: an engine of this test's, with an idle time far past the test.
    const own = { contextSize: 768 };
    const [a, b] = [client([], 60_000, own), client([], 60_000, own)];
    await Promise.all([a.modelInfo(), b.modelInfo()]);
    const pid = a.supervisor.pid!;
    await a.supervisor.stop();
    expect(isAlive(pid)).toBe(true);
    const served = await b.generate({ sequence: "completion", prompt: prompt("still here"), maxTokens: 2 });
    expect(served.metrics.generatedTokens).toBeGreaterThan(0);
    await b.supervisor.stop();
    expect(await waitUntilGone(pid, 15_000)).toBe(true);

    const c = client([], 60_000, own);
    await c.modelInfo();
    const kept = c.supervisor.pid!;
    expect(kept).not.toBe(pid);
    await c.dispose();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(isAlive(kept)).toBe(true);
  });

  it("refuses a client of another build with versionMismatch, and exits when no client is left", async () => {
    const a = client([], 1_000);
    await a.modelInfo();
    const pid = a.supervisor.pid!;
    const { address } = engineEndpoint(enginePath, { ...loadParams(), clientSlots: sharedEngineClientSlots }, { [engineDirEnv]: engineDir });
    const socket = net.connect(address);
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    connection.listen();
    const refused = await connection.sendRequest(Methods.hello, { protocolVersion: engineProtocolVersion, build: "p1-another-build" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ data: { code: "versionMismatch" } });
    const closed = await new Promise<boolean>((resolve) => {
      socket.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 3_000);
    });
    expect(closed).toBe(true);
    connection.dispose();
    expect(isAlive(pid)).toBe(true);
    await a.supervisor.stop();
    expect(await waitUntilGone(pid, 15_000)).toBe(true);
  });
});
