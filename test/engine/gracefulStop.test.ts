// Stopping the real engine (node-llama-cpp on the synthetic model): asked to exit, it unloads the
// context and model itself and ends before the supervisor's kill timer would SIGKILL it.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Methods } from "../../src/protocol/engine.js";
import { EngineSupervisor } from "../../src/supervisor/engineSupervisor.js";
import { isAlive } from "../fixtures/fake-engine/processes";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

const supervisors: EngineSupervisor[] = [];

async function loadedEngine() {
  const modelPath = await ensureSyntheticModel();
  const log: string[] = [];
  const supervisor = new EngineSupervisor({
    enginePath: path.resolve("dist", "engine.mjs"),
    loadParams: () => ({ modelPath, contextSize: 1024, threads: 1 }),
    log: (line) => log.push(line),
    // Long enough for a graceful exit on a busy machine; a kill would be logged well before the test's timeout.
    stopTimeoutMs: 20_000,
  });
  supervisors.push(supervisor);
  const running = await supervisor.ensureRunning();
  const pid = supervisor.state.kind === "ready" ? supervisor.state.pid : -1;
  return { supervisor, log, pid, running };
}

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
});

describe("stopping a loaded engine", () => {
  it("unloads the model and exits by itself, without SIGKILL", async () => {
    const { supervisor, log, pid } = await loadedEngine();
    expect(pid).toBeGreaterThan(0);
    await supervisor.stop();
    expect(log).toContain("[engine] the model was unloaded before exit");
    expect(log.filter((line) => /killing|SIGKILL|still alive/.test(line))).toEqual([]);
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.state.kind).toBe("stopped");
  });

  it("ends a generation in progress the same way", async () => {
    const { supervisor, log, pid } = await loadedEngine();
    let streamed = 0;
    let done = false;
    const settled = supervisor
      .request(
        Methods.generate,
        { requestId: "long", sequence: "chat", prompt: [{ token: "bos" }, { text: "fn main() {" }], maxTokens: 4000, stream: true },
        undefined,
        () => streamed++,
      )
      .then(
        () => "finished",
        () => "rejected",
      )
      .finally(() => (done = true));
    while (streamed === 0 && !done) await new Promise((resolve) => setTimeout(resolve, 10));
    // Random weights may end the answer early; a generation still running when stopped is rejected.
    const runningAtStop = !done;
    await supervisor.stop();
    if (runningAtStop) expect(await settled).toBe("rejected");
    expect(log).toContain("[engine] the model was unloaded before exit");
    expect(log.filter((line) => /killing|SIGKILL|still alive/.test(line))).toEqual([]);
    expect(isAlive(pid)).toBe(false);
  });
});
