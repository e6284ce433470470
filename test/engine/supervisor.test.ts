// The supervisor against fake engine processes, one per failure mode.
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { EngineError, Methods } from "../../src/protocol/engine.js";
import { EngineSupervisor, type EngineState } from "../../src/supervisor/engineSupervisor.js";
import { isAlive, waitForState } from "../fixtures/fake-engine/processes";

const fakeEngine = path.resolve("test/fixtures/fake-engine/engine.mjs");
const supervisors: EngineSupervisor[] = [];

function supervise(mode: string, overrides: Partial<ConstructorParameters<typeof EngineSupervisor>[0]> = {}) {
  const states: EngineState["kind"][] = [];
  const supervisor = new EngineSupervisor({
    enginePath: fakeEngine,
    loadParams: () => ({ modelPath: "/fake.gguf" }),
    env: { FAKE_ENGINE_MODE: mode },
    restartPolicy: { maxCrashes: 3, windowMs: 60_000, baseDelayMs: 10, maxDelayMs: 20 },
    stopTimeoutMs: 300,
    ...overrides,
  });
  supervisor.onStateChange((state) => states.push(state.kind));
  supervisors.push(supervisor);
  return { supervisor, states };
}

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
});

describe("EngineSupervisor", () => {
  it("starts lazily, once, for concurrent callers", async () => {
    const { supervisor, states } = supervise("ok");
    expect(supervisor.state.kind).toBe("stopped");
    const [a, b] = await Promise.all([supervisor.ensureRunning(), supervisor.ensureRunning()]);
    expect(a).toBe(b);
    expect(states).toEqual(["starting", "ready"]);
  });

  it("gives up after repeated aborts with a message naming the cause", async () => {
    const { supervisor, states } = supervise("abort-on-load");
    await expect(supervisor.ensureRunning()).rejects.toMatchObject({ code: "engineCrashed" });
    const failed = await waitForState(supervisor, "failed");
    expect(failed.kind === "failed" && failed.message).toMatch(/crashed 3 times.*SIGABRT.*GGML_ASSERT/s);
    expect(states.filter((s) => s === "restarting")).toHaveLength(2);
    // While failed, requests get a typed error at once instead of hanging.
    await expect(supervisor.request(Methods.status, {})).rejects.toMatchObject({ code: "engineUnavailable" });
  });

  it("reports a load error as loadFailed, keeps the process, and loads again on reload", async () => {
    let mode = "load-error";
    const { supervisor, states } = supervise("unused", { env: { get FAKE_ENGINE_MODE() { return mode; } } });
    const error = await supervisor.ensureRunning().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: "modelNotFound", message: expect.stringContaining("/missing.gguf") });
    expect(states).toEqual(["starting", "loadFailed"]);
    // Until the settings change, requests get the load error at once.
    await expect(supervisor.request(Methods.status, {})).rejects.toMatchObject({ code: "modelNotFound" });
    const pid = supervisor.pid;
    expect(pid).toBeDefined();
    mode = "ok"; // the fake reads its mode at start, so this one still fails: the same process answers
    await expect(supervisor.reload()).rejects.toMatchObject({ code: "modelNotFound" });
    expect(supervisor.pid).toBe(pid);
  });

  it("rejects an engine answer that does not match the protocol", async () => {
    const { supervisor } = supervise("malformed-info");
    await expect(supervisor.ensureRunning()).rejects.toBeInstanceOf(EngineError);
    expect(supervisor.state.kind).toBe("loadFailed");
  });

  it("fails the request in flight with engineCrashed when the process dies, then restarts", async () => {
    const { supervisor } = supervise("exit-on-generate");
    await supervisor.ensureRunning();
    const firstPid = supervisor.pid!;
    const request = supervisor.request(Methods.generate, { requestId: "r1", sequence: "chat", prompt: [{ text: "hi" }], maxTokens: 4 });
    await expect(request).rejects.toMatchObject({ code: "engineCrashed" });
    await waitForState(supervisor, "ready");
    expect(supervisor.pid).not.toBe(firstPid);
  });

  it("cancels a streaming request through its AbortSignal", async () => {
    const { supervisor } = supervise("ok");
    const controller = new AbortController();
    const chunks: string[] = [];
    const result = supervisor.request(
      Methods.generate,
      { requestId: "r2", sequence: "chat", prompt: [{ text: "hi" }], maxTokens: 4 },
      controller.signal,
      (text) => {
        chunks.push(text);
        if (chunks.length === 3) controller.abort();
      },
    );
    await expect(result).resolves.toMatchObject({ stopReason: "aborted" });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.length).toBeLessThan(50);
  });

  it("kills an engine that ignores SIGTERM and leaves no process behind", async () => {
    const { supervisor } = supervise("ignore-sigterm");
    await supervisor.ensureRunning();
    const pid = supervisor.pid!;
    await supervisor.stop();
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.state.kind).toBe("stopped");
  });

  it("restart clears a failed state", async () => {
    let mode = "abort-on-load";
    // The environment is read at each fork, so the next start sees the new mode.
    const { supervisor } = supervise("unused", { env: { get FAKE_ENGINE_MODE() { return mode; } } });
    await supervisor.ensureRunning().catch(() => undefined);
    await waitForState(supervisor, "failed");
    mode = "ok";
    await expect(supervisor.restart()).resolves.toMatchObject({ name: "fake" });
    expect(supervisor.state.kind).toBe("ready");
  });

  // Issue 19, item 10: every request has a time limit.
  it("cancels a request past its time limit, and kills an engine that does not answer the cancellation", async () => {
    const { supervisor } = supervise("hang-on-generate", { timeLimits: { generationMs: 300, cancelGraceMs: 300 } });
    await supervisor.ensureRunning();
    const pid = supervisor.pid!;
    const started = performance.now();
    const request = supervisor.request(Methods.generate, { requestId: "r3", sequence: "chat", prompt: [{ text: "hi" }], maxTokens: 4 });
    await expect(request).rejects.toMatchObject({ code: "engineUnavailable", message: expect.stringMatching(/stopped responding.*engine\/generate within 1 s/) });
    expect(performance.now() - started).toBeLessThan(3000);
    if (supervisor.state.kind === "ready") await waitForState(supervisor, "restarting");
    await waitForState(supervisor, "ready");
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.pid).not.toBe(pid);
  });

  it("a slow request that answers its cancellation is refused, and the engine is kept", async () => {
    const { supervisor } = supervise("slow-generate", { timeLimits: { generationMs: 300, cancelGraceMs: 5000 } });
    await supervisor.ensureRunning();
    const pid = supervisor.pid;
    const request = supervisor.request(Methods.generate, { requestId: "r4", sequence: "chat", prompt: [{ text: "hi" }], maxTokens: 4 });
    await expect(request).rejects.toMatchObject({ code: "engineUnavailable", message: expect.stringMatching(/did not finish engine\/generate within 0 s; the request was cancelled/) });
    expect(supervisor.pid).toBe(pid);
    expect(supervisor.state.kind).toBe("ready");
  });

  it("a load past its time limit ends as loadFailed with the process killed", async () => {
    const { supervisor, states } = supervise("hang-on-load", { timeLimits: { loadFloorMs: 500, loadCeilingMs: 500 } });
    const started = performance.now();
    const starting = supervisor.ensureRunning();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pid = supervisor.pid!;
    await expect(starting).rejects.toMatchObject({ code: "modelLoadFailed", message: expect.stringMatching(/Loading \/fake.gguf did not finish within 1 s/) });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(states).toEqual(["starting", "loadFailed"]);
    // The stuck process ignores SIGTERM: it is SIGKILLed after the stop grace (300 ms here).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(isAlive(pid)).toBe(false);
    await expect(supervisor.request(Methods.status, {})).rejects.toMatchObject({ code: "modelLoadFailed" });
  });

  // Issue 19, item 11: the supervisor kept ~680 bytes per request (a reaction on the process's
  // exit promise per request, never released while the process lived).
  it("keeps no memory per request", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const { supervisor } = supervise("ok");
    await supervisor.ensureRunning();
    const run = async (count: number) => {
      for (let i = 0; i < count; i += 100) {
        await Promise.all(Array.from({ length: 100 }, () => supervisor.request(Methods.status, {})));
      }
    };
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    await run(2000);
    const before = heap();
    const count = 20_000;
    await run(count);
    const perRequest = (heap() - before) / count;
    console.log(`supervisor heap growth: ${perRequest.toFixed(1)} bytes per request over ${count} requests`);
    expect(perRequest).toBeLessThan(100);
  });
});
