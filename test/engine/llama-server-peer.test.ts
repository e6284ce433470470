// The peer llama-server launcher (test/fixtures/llama-server.ts) on the synthetic model: the
// endpoints the bench and the FIM/cache comparisons rely on, and that no server outlives its owner.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLlamaServer } from "../../native/llama-server/build";
import { completion, detokenize, infill, tokenize } from "../bench/peer/llama-server-client";
import { startLlamaServer, type LlamaServer } from "../fixtures/llama-server";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index";

/** Alive = exists and is not a zombie (an orphan's zombie waits for whoever reaps it). */
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return process.platform !== "linux";
  }
};

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

const code = Array.from({ length: 40 }, (_, i) => `function f${i}(x) {\n  return x * ${i} + ${i * 7};\n}\n`).join("");

describe("peer llama-server", () => {
  let model: string;
  let server: LlamaServer;

  // The first run builds llama-server (~14 min on 2 cores); later runs find it cached.
  beforeAll(async () => {
    [model] = await Promise.all([ensureSyntheticModel(), ensureLlamaServer()]);
    server = await startLlamaServer({ model, threads: 1, ctxSize: 2048 });
  }, 40 * 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("binds 127.0.0.1 on a free port and reports health", async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const health = await fetch(`${server.url}/health`).then((r) => r.json());
    expect(health).toMatchObject({ status: "ok" });
    expect(server.logs()).toMatch(/server is listening|listening on/i);
  });

  it("tokenizes and detokenizes", async () => {
    const tokens = await tokenize(server.url, "def hello():\n    return 42\n");
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.every((t) => Number.isInteger(t) && t >= 0)).toBe(true);
    expect(await detokenize(server.url, tokens)).toBe("def hello():\n    return 42\n");
  });

  it("reuses the cached prompt prefix with cache_prompt", async () => {
    const first = await completion(server.url, { prompt: code, n_predict: 4, temperature: 0, cache_prompt: true });
    expect(first.timings.prompt_n).toBeGreaterThan(200);

    const second = await completion(server.url, {
      prompt: `${code}function g(y) {\n`,
      n_predict: 4,
      temperature: 0,
      cache_prompt: true,
    });
    expect(second.timings.cache_n).toBeGreaterThan(200);
    expect(second.timings.prompt_n).toBeLessThan(20);
    expect(second.timings.cache_n + second.timings.prompt_n).toBe(second.tokens_evaluated);
  });

  it("answers /infill with the model's FIM tokens", async () => {
    const r = await infill(server.url, {
      input_prefix: "function add(a, b) {\n  return ",
      input_suffix: ";\n}\n",
      n_predict: 8,
      temperature: 0,
    });
    expect(typeof r.content).toBe("string");
    expect(r.tokens_evaluated).toBeGreaterThan(10);
    expect(r.tokens_predicted).toBeLessThanOrEqual(8);
  });

  it("stops by pid", async () => {
    const other = await startLlamaServer({ model, threads: 1, ctxSize: 512 });
    expect(isAlive(other.pid)).toBe(true);
    await other.stop();
    expect(isAlive(other.pid)).toBe(false);
    await other.stop(); // idempotent
  });

  it("leaves no orphan when its owner is killed", async () => {
    // A separate owner process starts a server, prints its pid, and is then SIGKILLed: no exit hook
    // runs, so only the watchdog can stop the server.
    const launcher = fileURLToPath(new URL("../fixtures/llama-server.ts", import.meta.url));
    const script = `
      // Without "type": "module" the file loads as CommonJS: its exports sit on \`default\`.
      const m = await import(${JSON.stringify(launcher)});
      const s = await (m.startLlamaServer ?? m.default.startLlamaServer)({ model: ${JSON.stringify(model)}, threads: 1, ctxSize: 512 });
      console.log("PID " + s.pid);
      setInterval(() => {}, 1000);
    `;
    const owner = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = "";
      owner.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /PID (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      owner.on("exit", (c) => reject(new Error(`owner exited early (${c}): ${out}`)));
    });
    expect(isAlive(pid)).toBe(true);
    owner.kill("SIGKILL");
    expect(await waitUntil(() => !isAlive(pid), 5_000)).toBe(true);
  }, 120_000);
});
