// Fault suite, bad model files (issue 19, item 10): each crafted file must end with a clear, typed
// error well within the load limit and leave the engine process alive; the host's header check must
// stay within bounded time and memory on a crafted huge header; and Stop / Restart must finish
// within their grace period while a load is stuck. Prints a table of what each file did.
import { copyFile, mkdtemp, open, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "../../src/protocol/engine.js";
import { EngineSupervisor, type EngineState } from "../../src/supervisor/engineSupervisor.js";
import { checkModelFileRoles } from "../../src/vscode/models/readModelHeader.js";
import { gguf, encodeGgufHeader } from "../fixtures/synthetic-model/gguf-writer";
import { isAlive } from "../fixtures/fake-engine/processes";
import { ensureSyntheticModel, writeTruncatedModel } from "../fixtures/synthetic-model/index";

/** The load limit this suite runs under: every bad file must end well within it. */
const loadLimitMs = 20_000;
const stopGraceMs = 1_000;
const killConfirmMs = 2_000;

let dir: string;
let model: string;
const supervisors: EngineSupervisor[] = [];
const rows: { file: string; bytes: number; outcome: string; ms: number; engine: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dsl-bad-models-"));
  model = await ensureSyntheticModel();
});

afterEach(async () => {
  // Even where stop itself would hang (the old supervisor), leave no engine behind.
  for (const supervisor of supervisors.splice(0)) {
    const pid = supervisor.pid;
    await Promise.race([supervisor.stop(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (pid !== undefined && isAlive(pid)) process.kill(pid, "SIGKILL");
  }
});

afterAll(async () => {
  if (rows.length) {
    const table = rows.map((r) => `| ${r.file} | ${r.bytes.toLocaleString("en")} | ${r.outcome} | ${r.ms} ms | ${r.engine} |`);
    console.log(["", "| bad file | bytes | how it ended | time | engine process |", "|---|---|---|---|---|", ...table].join("\n"));
  }
  await rm(dir, { recursive: true, force: true });
});

/** Offset of the u64 that follows the key `key` (with the value type and, for arrays, the item type, skipped). */
async function offsetAfterKey(file: string, key: string, skip: number): Promise<number> {
  const head = (await readFile(file)).subarray(0, 16 * 1024 * 1024);
  const at = head.indexOf(Buffer.from(key, "utf8"));
  if (at < 0) throw new Error(`${key} not found in ${file}`);
  return at + Buffer.byteLength(key) + skip;
}

async function patchU64(file: string, offset: number, value: bigint): Promise<void> {
  const handle = await open(file, "r+");
  try {
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(value);
    await handle.write(bytes, 0, 8, offset);
  } finally {
    await handle.close();
  }
}

/** A copy of the synthetic model with one u64 of its header replaced. */
async function patchedModel(name: string, offset: (file: string) => Promise<number>, value: bigint): Promise<string> {
  const file = path.join(dir, name);
  await copyFile(model, file);
  await patchU64(file, await offset(file), value);
  return file;
}

/** The start of the synthetic model's header (magic, version, key count, first key), 60 bytes in all, claiming `tensors` tensors. */
async function sixtyByteFile(name: string, tensors: bigint): Promise<string> {
  const file = path.join(dir, name);
  const { header } = encodeGgufHeader([{ key: "general.architecture", value: gguf.str("deepseek2") }], []);
  const bytes = Buffer.alloc(60);
  header.copy(bytes, 0, 0, 60);
  bytes.writeBigUInt64LE(tensors, 8);
  await writeFile(file, bytes);
  return file;
}

const badFiles: { name: string; what: string; make: () => Promise<string>; code: EngineError["code"]; says: RegExp }[] = [
  {
    name: "tensors-2^40.gguf",
    what: "valid model, header claims 2^40 tensors",
    make: () => patchedModel("tensors-2^40.gguf", async () => 8, 2n ** 40n),
    code: "notGguf",
    says: /tensor count is 1099511627776/,
  },
  {
    name: "sixty-bytes.gguf",
    what: "60-byte file, header claims 2^40 tensors",
    make: () => sixtyByteFile("sixty-bytes.gguf", 2n ** 40n),
    code: "notGguf",
    says: /tensor count is 1099511627776/,
  },
  {
    name: "sixty-bytes-2^19-tensors.gguf",
    what: "60-byte file, 2^19 tensors (under the cap)",
    make: () => sixtyByteFile("sixty-bytes-2^19-tensors.gguf", 2n ** 19n),
    code: "truncatedModel",
    says: /but the file has 60 bytes/,
  },
  {
    name: "array-2^40.gguf",
    what: "valid model, token list claims 2^40 items",
    make: () => patchedModel("array-2^40.gguf", (file) => offsetAfterKey(file, "tokenizer.ggml.tokens", 8), 2n ** 40n),
    code: "truncatedModel",
    says: /tokenizer\.ggml\.tokens \(1099511627776\)/,
  },
  {
    name: "string-2^40.gguf",
    what: "valid model, architecture string claims 2^40 bytes",
    make: () => patchedModel("string-2^40.gguf", (file) => offsetAfterKey(file, "general.architecture", 4), 2n ** 40n),
    code: "truncatedModel",
    says: /general\.architecture/,
  },
  {
    name: "cut-in-header.gguf",
    what: "first 1 MiB of the model (cut inside the vocabulary)",
    make: async () => {
      const file = path.join(dir, "cut-in-header.gguf");
      await copyFile(model, file);
      await truncate(file, 1024 * 1024);
      return file;
    },
    code: "truncatedModel",
    says: /the file has 1048576 bytes|ended at/,
  },
  {
    name: "cut-in-data.gguf",
    what: "model cut at 60% (inside the tensor data)",
    make: async () => {
      const file = path.join(dir, "cut-in-data.gguf");
      await writeTruncatedModel(file);
      return file;
    },
    code: "truncatedModel",
    says: /is truncated/,
  },
];

describe("bad model files end with a clear error within the load limit", () => {
  it.each(badFiles)("$name: $what", async ({ name, make, code, says }) => {
    const file = await make();
    const bytes = (await stat(file)).size;
    const states: EngineState["kind"][] = [];
    const supervisor = new EngineSupervisor({
      enginePath: path.resolve("dist", "engine.mjs"),
      loadParams: () => ({ modelPath: file, contextSize: 2048, threads: 1 }),
      env: { DEEPSEEK_LOCAL_GPU: "off" },
      // A crash must show as a failure here, not be retried behind the test's back.
      restartPolicy: { maxCrashes: 1, windowMs: 60_000, baseDelayMs: 10, maxDelayMs: 10 },
      timeLimits: { loadFloorMs: loadLimitMs, loadCeilingMs: loadLimitMs, stopGraceMs, killConfirmMs },
    });
    supervisor.onStateChange((state) => states.push(state.kind));
    supervisors.push(supervisor);
    const started = performance.now();
    const outcome = await supervisor.ensureRunning().then(
      () => undefined,
      (error: unknown) => error,
    );
    const ms = Math.round(performance.now() - started);
    const pid = supervisor.pid;
    const alive = pid !== undefined && isAlive(pid);
    rows.push({
      file: name,
      bytes,
      outcome: outcome instanceof EngineError ? `${outcome.code}: ${outcome.message.replace(file, "<file>").slice(0, 150)}` : `no error (${String(outcome)})`,
      ms,
      engine: alive ? "alive, empty" : "gone",
    });
    expect(outcome).toBeInstanceOf(EngineError);
    expect(outcome).toMatchObject({ code, message: expect.stringMatching(says) });
    expect((outcome as Error).message).toContain(file);
    expect(ms).toBeLessThan(loadLimitMs);
    // Refused before llama.cpp saw the file: the process is still there, ready for the next load.
    expect(states).toEqual(["starting", "loadFailed"]);
    expect(alive).toBe(true);
  }, loadLimitMs * 2);
});

describe("the extension's own header check stays bounded", () => {
  /** Peak of heap + array buffers above the start while `run` is pending and while its result is held. */
  async function peakMemory<T>(run: () => Promise<T>): Promise<{ result: T; peakBytes: number; ms: number }> {
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const base = used();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, used() - base)), 5);
    const started = performance.now();
    try {
      const result = await run();
      peak = Math.max(peak, used() - base);
      return { result, peakBytes: peak, ms: Math.round(performance.now() - started) };
    } finally {
      clearInterval(sampler);
    }
  }

  it.each([
    // One array that claims 126 M one-byte items (the file does hold them: zeros).
    { name: "header-126MB-u8.gguf", size: 126_000_000, arrays: [["junk.bytes", 126_000_000 - 4096]] as const },
    // Thirty arrays of 1 M u32 each: each under the old per-array cap, together 120 MB of header.
    { name: "header-120MB-u32s.gguf", size: 126_000_000, arrays: Array.from({ length: 30 }, (_, i) => [`junk.${i}`, 1_000_000] as const) },
  ])("$name: refused in bounded time and memory", async ({ name, size, arrays }) => {
    // The arrays are written by hand after the writer's header (the writer would materialize the
    // items); their items are a sparse run of zeros.
    const file = path.join(dir, name);
    const bigU64 = (v: number) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(v));
      return b;
    };
    const u32 = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(v);
      return b;
    };
    const str = (text: string) => Buffer.concat([bigU64(Buffer.byteLength(text)), Buffer.from(text)]);
    const header = Buffer.concat([Buffer.from("GGUF"), u32(3), bigU64(0), bigU64(1 + arrays.length), str("general.architecture"), u32(8), str("deepseek2")]);
    const isBytes = name.includes("u8");
    let offset = header.length;
    const handle = await open(file, "w");
    try {
      await handle.write(header, 0, header.length, 0);
      for (const [key, count] of arrays) {
        const entry = Buffer.concat([str(key), u32(9), u32(isBytes ? 0 : 4), bigU64(count)]);
        await handle.write(entry, 0, entry.length, offset);
        offset += entry.length + count * (isBytes ? 1 : 4);
      }
    } finally {
      await handle.close();
    }
    await truncate(file, Math.max(size, offset + 1024));

    const { result, peakBytes, ms } = await peakMemory(() => checkModelFileRoles(file, ["completion", "chat"], 4096));
    rows.push({ file: `${name} (host check)`, bytes: (await stat(file)).size, outcome: result.problems[0]?.message.replace(file, "<file>").slice(0, 150) ?? "accepted", ms, engine: `peak +${Math.round(peakBytes / 2 ** 20)} MiB` });
    expect(result.usableRoles).toEqual([]);
    expect(result.problems[0]).toMatchObject({ code: "notGguf", message: expect.stringMatching(/larger than 64 MiB/) });
    expect(ms).toBeLessThan(5_000);
    expect(peakBytes).toBeLessThan(128 * 2 ** 20);
  }, 60_000);
});

describe("Stop and Restart finish while a load is stuck", () => {
  const fakeEngine = path.resolve("test/fixtures/fake-engine/engine.mjs");
  const bound = stopGraceMs + killConfirmMs + 1_000;

  function stuck(mode: { value: string }) {
    const supervisor = new EngineSupervisor({
      enginePath: fakeEngine,
      loadParams: () => ({ modelPath: "/fake.gguf" }),
      env: {
        get FAKE_ENGINE_MODE() {
          return mode.value;
        },
      },
      timeLimits: { stopGraceMs, killConfirmMs },
    });
    supervisors.push(supervisor);
    return supervisor;
  }

  async function startStuck(supervisor: EngineSupervisor) {
    const starting = supervisor.ensureRunning().then(
      () => "loaded",
      (error: EngineError) => error.code,
    );
    // Let the load reach the engine and get stuck there.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { starting, pid: supervisor.pid! };
  }

  it.each(["hang-on-load", "spin-on-load"])("Stop during a stuck load (%s) returns within the grace period and the pid is gone", async (value) => {
    const supervisor = stuck({ value });
    const { starting, pid } = await startStuck(supervisor);
    expect(isAlive(pid)).toBe(true);
    const started = performance.now();
    const stopped = await Promise.race([supervisor.stop().then(() => "stopped"), new Promise((resolve) => setTimeout(() => resolve("still waiting"), 10_000))]);
    const ms = Math.round(performance.now() - started);
    rows.push({ file: `Stop, load stuck (${value})`, bytes: 0, outcome: String(stopped), ms, engine: isAlive(pid) ? "alive" : "gone" });
    expect(stopped).toBe("stopped");
    expect(ms).toBeLessThan(bound);
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.state.kind).toBe("stopped");
    expect(await starting).toBe("engineUnavailable");
  }, 30_000);

  it("Restart during a stuck load ends the stuck process and loads in a fresh one", async () => {
    const mode = { value: "spin-on-load" };
    const supervisor = stuck(mode);
    const { pid } = await startStuck(supervisor);
    mode.value = "ok";
    const started = performance.now();
    const restarted = await Promise.race([supervisor.restart().then((model) => model.name), new Promise((resolve) => setTimeout(() => resolve("still waiting"), 10_000))]);
    const ms = Math.round(performance.now() - started);
    rows.push({ file: "Restart, load stuck (spin-on-load)", bytes: 0, outcome: `restarted: ${String(restarted)}`, ms, engine: isAlive(pid) ? "old pid alive" : "old pid gone" });
    expect(restarted).toBe("fake");
    expect(ms).toBeLessThan(bound + 2_000);
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.state.kind).toBe("ready");
  }, 30_000);
});
