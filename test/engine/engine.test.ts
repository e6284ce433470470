// The real engine process (node-llama-cpp on the synthetic DeepSeek model), driven through the
// same LocalEngine the extension uses. Random weights: assert on structure, never on text.
import Ajv from "ajv";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEngine, createLocalEngine } from "../../src/backends/local/localEngine.js";
import { idleCollectionMs } from "../../src/engine/idleCollector.js";
import { EngineSupervisor } from "../../src/supervisor/engineSupervisor.js";
import { Methods, type EngineErrorCode, type PromptSegment } from "../../src/protocol/engine.js";
import {
  ensureSyntheticModel,
  writeForeignArchitectureModel,
  writeNotGguf,
  writeOversizedModelHeader,
  writeTruncatedModel,
} from "../fixtures/synthetic-model/index.js";

let modelPath: string;
let engine: LocalEngine;
let scratch: string;

const text = (value: string): PromptSegment => ({ text: value });
const codeSample = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `function handler${i}(request, response) {\n  return response.send(${i});\n}\n`).join("");

beforeAll(async () => {
  modelPath = await ensureSyntheticModel();
  scratch = await mkdtemp(path.join(os.tmpdir(), "deepseek-engine-test-"));
  engine = createLocalEngine({ modelPath, contextSize: 4096, threads: 1, restartPolicy: { maxCrashes: 5, windowMs: 60_000, baseDelayMs: 50, maxDelayMs: 200 } });
});

afterAll(async () => {
  await engine?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

describe("engine on the synthetic DeepSeek model", () => {
  it("describes the model, with FIM tokens read from its vocabulary", async () => {
    const info = await engine.modelInfo();
    expect(info.architecture).toBe("deepseek2");
    expect(info.synthetic).toBe(true);
    // Flash attention unset: off here, since the tiny model's MLA heads (48 / 32) are narrower than
    // the CPU kernel's SIMD step (contextDefaults.ts); the test below turns it on.
    expect(info.flashAttention).toBe(false);
    expect(info.specialTokens.fimPrefix).toEqual(expect.any(Number));
    // The ids come from the vocabulary: tokenizing the token text with special parsing finds them.
    const [begin] = await engine.tokenize("<｜fim▁begin｜>", { parseSpecial: true });
    const [hole] = await engine.tokenize("<｜fim▁hole｜>", { parseSpecial: true });
    const [end] = await engine.tokenize("<｜fim▁end｜>", { parseSpecial: true });
    expect([info.specialTokens.fimPrefix, info.specialTokens.fimSuffix, info.specialTokens.fimMiddle]).toEqual([begin, hole, end]);
    // User text never turns into control tokens.
    expect(await engine.tokenize("<｜fim▁begin｜>")).not.toContain(begin);
  });

  it("streams generated text token by token", async () => {
    const chunks: string[] = [];
    const result = await engine.generate(
      { sequence: "chat", prompt: [{ token: "bos" }, text("def fibonacci(n):")], maxTokens: 24 },
      { onText: (chunk) => chunks.push(chunk) },
    );
    expect(result.metrics.generatedTokens).toBeGreaterThan(0);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(result.text);
    expect(["eos", "maxTokens"]).toContain(result.stopReason);
  });

  it("stops generation within a few tokens of an abort", async () => {
    const controller = new AbortController();
    let seen = 0;
    const result = await engine.generate(
      { sequence: "chat", prompt: [{ token: "bos" }, text("Write a long story.")], maxTokens: 2000, temperature: 0.8, seed: 1 },
      {
        signal: controller.signal,
        onText: () => {
          if (++seen === 5) controller.abort();
        },
      },
    );
    expect(result.stopReason).toBe("aborted");
    expect(result.metrics.generatedTokens).toBeLessThanOrEqual(5 + 3);
  });

  it("stops a long prompt evaluation between batches when aborted", async () => {
    const prompt = codeSample(220); // ≈ 3,500 tokens
    const tokens = await engine.tokenize(prompt);
    expect(tokens.length).toBeGreaterThan(3000);
    const before = await engine.supervisor.request(Methods.status, {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const outcome = await engine
      .generate({ sequence: "refactor", prompt: [{ token: "bos" }, text(prompt)], maxTokens: 8 }, { signal: controller.signal })
      .then(() => "finished", (error: { code?: EngineErrorCode }) => error.code);
    expect(outcome).toBe("cancelled");
    const after = await engine.supervisor.request(Methods.status, {});
    const evaluated = after.sequences.refactor!.evaluatedTotal - before.sequences.refactor!.evaluatedTotal;
    expect(evaluated).toBeLessThan(tokens.length);
  });

  it("evaluates only the new tokens of a prompt that extends the previous one", async () => {
    const base = codeSample(20);
    const first = await engine.generate({ sequence: "completion", prompt: [{ token: "bos" }, text(base)], maxTokens: 2 });
    const extension = "function extra() {\n  return 42;\n}\n";
    const second = await engine.generate({ sequence: "completion", prompt: [{ token: "bos" }, text(base + extension)], maxTokens: 2 });
    const newTokens = second.metrics.promptTokens - first.metrics.promptTokens;
    expect(second.metrics.reusedTokens).toBeGreaterThan(0);
    expect(second.metrics.reusedTokens + second.metrics.evaluatedTokens).toBe(second.metrics.promptTokens);
    // Token boundaries at the join can shift by a token or two.
    expect(second.metrics.evaluatedTokens).toBeLessThanOrEqual(newTokens + 3);
  });

  it("fills in the middle with the model's FIM tokens", async () => {
    const result = await engine.generate({
      sequence: "completion",
      prompt: [{ token: "bos" }, { token: "fimPrefix" }, text("def add(a, b):\n    "), { token: "fimSuffix" }, text("\n\nprint(add(1, 2))\n"), { token: "fimMiddle" }],
      maxTokens: 16,
    });
    expect(result.metrics.promptTokens).toBeGreaterThan(10);
    expect(result.metrics.generatedTokens).toBeGreaterThan(0);
  });

  it("answers under a JSON schema with valid JSON every time", async () => {
    const schema = {
      type: "object",
      properties: {
        rationale: { type: "string", maxLength: 40 },
        kind: { enum: ["rename", "extract", "document"] },
        names: { type: "array", items: { type: "string", maxLength: 12 }, maxItems: 3 },
      },
      required: ["rationale", "kind", "names"],
      additionalProperties: false,
    };
    const validate = new Ajv().compile(schema);
    for (let seed = 1; seed <= 8; seed++) {
      const result = await engine.generate({
        sequence: "refactor",
        prompt: [{ token: "bos" }, text("Answer in JSON: suggest names.\n")],
        maxTokens: 200,
        temperature: 0.9,
        seed,
        jsonSchema: schema,
      });
      const value: unknown = JSON.parse(result.text);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
      // An enum is outside what the jump-ahead follows: every token was sampled.
      expect(result.metrics.forcedTokens).toBe(0);
    }
  });

  it("writes the text a schema forces instead of sampling it, and the answer stays valid", async () => {
    const item = { type: "object", properties: { anchor: { type: "string", minLength: 1, maxLength: 12 }, text: { type: "string", maxLength: 20 } }, required: ["anchor", "text"], additionalProperties: false };
    const schema = {
      type: "object",
      properties: { rationale: { type: "string", maxLength: 40 }, edits: { type: "array", items: item, maxItems: 3 }, done: { type: "boolean" } },
      required: ["rationale", "edits", "done"],
      additionalProperties: false,
    };
    const validate = new Ajv().compile(schema);
    let followUpReused = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const prompt = [{ token: "bos" as const }, text("Answer in JSON: list the edits.\n")];
      const result = await engine.generate({ sequence: "refactor", prompt, maxTokens: 300, temperature: 0.9, seed, jsonSchema: schema });
      const value: unknown = JSON.parse(result.text);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
      // The opening brace, the first key and the quote that opens its string are all forced.
      expect(result.text.startsWith('{"rationale":"')).toBe(true);
      expect(result.metrics.forcedTokens).toBeGreaterThanOrEqual(3);
      expect(result.metrics.forcedTokens).toBeLessThan(result.metrics.generatedTokens);
      // The forced tokens went into the KV cache like sampled ones: asking again with the answer
      // appended reuses the whole prompt plus the answer's tokens.
      const followUp = await engine.generate({ sequence: "refactor", prompt: [...prompt, text(result.text)], maxTokens: 1, temperature: 0 });
      followUpReused = Math.max(followUpReused, followUp.metrics.reusedTokens);
      expect(followUp.metrics.reusedTokens).toBeGreaterThan(followUp.metrics.promptTokens - result.metrics.generatedTokens);
    }
    expect(followUpReused).toBeGreaterThan(10);
  });

  it("a stop string inside text the schema forces stops there, and nothing after it is evaluated", async () => {
    const schema = { type: "object", properties: { rationale: { type: "string", maxLength: 40 } }, required: ["rationale"], additionalProperties: false };
    const result = await engine.generate({
      sequence: "refactor",
      prompt: [{ token: "bos" }, text("JSON please.\n")],
      maxTokens: 60,
      temperature: 0.9,
      seed: 5,
      jsonSchema: schema,
      stopStrings: ['"rationale"'],
    });
    expect(result.stopReason).toBe("stopString");
    expect(result.text).toBe("{");
    expect(result.metrics.forcedTokens).toBeGreaterThan(0);
  });

  it("generates the same tokens with its direct (and pipelined) decode loop as with node-llama-cpp's evaluate() (under a grammar: the two direct loops alike, every answer valid JSON), and keeps the KV bookkeeping right", async () => {
    // The shared engine runs the pipelined loop (one pool thread, set by the supervisor); these two
    // run the plain direct loop (four pool threads) and node-llama-cpp's own evaluate().
    const direct = createLocalEngine({ modelPath, contextSize: 4096, threads: 1, env: { UV_THREADPOOL_SIZE: "4" } });
    const viaEvaluate = createLocalEngine({ modelPath, contextSize: 4096, threads: 1, env: { DEEPSEEK_LOCAL_DIRECT_DECODE: "off" } });
    try {
      expect((await engine.modelInfo()).generationLoop).toBe("pipelined");
      expect((await direct.modelInfo()).generationLoop).toBe("direct");
      expect((await viaEvaluate.modelInfo()).generationLoop).toBe("evaluate");
      const schema = { type: "object", properties: { name: { type: "string", maxLength: 16 }, ok: { type: "boolean" } }, required: ["name", "ok"], additionalProperties: false };
      const requests = [
        { sequence: "chat" as const, prompt: [{ token: "bos" as const }, text("def quicksort(items):")], maxTokens: 40, temperature: 0 },
        { sequence: "chat" as const, prompt: [{ token: "bos" as const }, text("SELECT name FROM")], maxTokens: 40, temperature: 0.8, seed: 3 },
        { sequence: "refactor" as const, prompt: [{ token: "bos" as const }, text("JSON:\n")], maxTokens: 80, temperature: 0.7, seed: 9, jsonSchema: schema },
      ];
      for (const request of requests) {
        const results = [await engine.generate(request), await direct.generate(request), await viaEvaluate.generate(request)];
        // Under a grammar the direct loops sample on purpose otherwise than node-llama-cpp's sampler
        // (a token is checked alone before any pass over the vocabulary, tokenStepper.ts): there the
        // two direct loops must agree with each other, and every answer must parse.
        const compared = request.jsonSchema ? results.slice(1, 2) : results.slice(1);
        if (request.jsonSchema) for (const result of results) expect(() => JSON.parse(result.text), result.text).not.toThrow();
        for (const result of compared) {
          expect(result.text).toBe(results[0]!.text);
          expect(result.metrics.generatedTokens).toBe(results[0]!.metrics.generatedTokens);
          expect(result.metrics.forcedTokens).toBe(results[0]!.metrics.forcedTokens);
        }
        // What went into the KV cache is what a follow-up with the answer appended finds there.
        const followUps = results.map((result) => ({ ...request, prompt: [...request.prompt, text(result.text)], maxTokens: 1, temperature: 0, jsonSchema: undefined }));
        const reused = [await engine.generate(followUps[0]!), await direct.generate(followUps[1]!), await viaEvaluate.generate(followUps[2]!)].map((r) => r.metrics.reusedTokens);
        for (const count of reused) expect(count).toBeGreaterThan(request.prompt.length);
        // Where the answers are the same, so is what each loop left in the KV cache.
        expect(reused.slice(0, compared.length + 1)).toEqual(reused.slice(0, compared.length + 1).map(() => reused[0]));
      }
      const fim = { prefix: "function add(a, b) {\n  return ", suffix: ";\n}\n", maxTokens: 24, temperature: 0 };
      const filled = [await engine.infill(fim), await direct.infill(fim), await viaEvaluate.infill(fim)].map((r) => r.text);
      expect(filled).toEqual([filled[0], filled[0], filled[0]]);
    } finally {
      await Promise.all([direct.dispose(), viaEvaluate.dispose()]);
    }
  });

  it("interleaves generation on one sequence with prompts and generation on others without mixing them up", async () => {
    // The direct loop and node-llama-cpp's own batch dispatcher share one context: this holds only
    // if they take the same lock. Each request's greedy answer must be what it is when run alone.
    const chat = { sequence: "chat" as const, prompt: [{ token: "bos" as const }, text(codeSample(12))], maxTokens: 64, temperature: 0 };
    const refactor = { sequence: "refactor" as const, prompt: [{ token: "bos" as const }, text("fn main() {\n")], maxTokens: 24, temperature: 0 };
    const fims = [0, 1, 2].map((i) => ({ prefix: `${codeSample(6)}function next${i}() {\n  return `, suffix: "\n}\n", maxTokens: 12, temperature: 0 }));
    const alone = {
      chat: (await engine.generate(chat)).text,
      refactor: (await engine.generate(refactor)).text,
      fims: [] as string[],
    };
    for (const fim of fims) alone.fims.push((await engine.infill(fim)).text);
    // Other prompts on every sequence, so the concurrent round evaluates its prompts again.
    for (const sequence of ["chat", "refactor", "completion"] as const) {
      await engine.generate({ sequence, prompt: [{ token: "bos" }, text("# unrelated\n")], maxTokens: 2, temperature: 0 });
    }
    const chatRun = engine.generate(chat);
    const refactorRun = engine.generate(refactor);
    const fimTexts: string[] = [];
    for (const fim of fims) fimTexts.push((await engine.infill(fim)).text);
    expect((await chatRun).text).toBe(alone.chat);
    expect((await refactorRun).text).toBe(alone.refactor);
    expect(fimTexts).toEqual(alone.fims);
  });

  it("runs with flash attention when asked, and says so", async () => {
    const withFlash = createLocalEngine({ modelPath, contextSize: 1024, threads: 1, flashAttention: true });
    try {
      expect((await withFlash.modelInfo()).flashAttention).toBe(true);
      const result = await withFlash.generate({ sequence: "chat", prompt: [{ token: "bos" }, text("fn main() {")], maxTokens: 8, temperature: 0 });
      expect(result.metrics.generatedTokens).toBe(8);
    } finally {
      await withFlash.dispose();
    }
  });

  // Finished requests' native memory is handed back once the engine is idle (idleCollector.ts).
  it("collects garbage once idle after a request, and reports how long that stopped it", async () => {
    const before = (await engine.supervisor.request(Methods.status, {})).idleCollections!;
    await engine.generate({ sequence: "completion", prompt: [{ token: "bos" }, text("const idle = ")], maxTokens: 2 });
    await new Promise((resolve) => setTimeout(resolve, idleCollectionMs + 500));
    const after = (await engine.supervisor.request(Methods.status, {})).idleCollections!;
    expect(after.count).toBe(before.count + 1);
    expect(after.lastMs).toBeGreaterThan(0);
    expect(after.maxMs).toBeGreaterThanOrEqual(after.lastMs);
  });

  it("reports a clear error when a JSON answer hits the token cap", async () => {
    const schema = { type: "object", properties: { text: { type: "string", minLength: 200, maxLength: 300 } }, required: ["text"] };
    await expect(
      engine.generate({ sequence: "refactor", prompt: [{ token: "bos" }, text("JSON:")], maxTokens: 10, jsonSchema: schema }),
    ).rejects.toMatchObject({ code: "tokenLimit", message: expect.stringContaining("10 tokens") });
  });

  it("survives kill -9 mid-stream: a typed error, then the next request succeeds", async () => {
    const pid = engine.supervisor.pid!;
    let killed = false;
    const outcome = await engine
      .generate(
        { sequence: "chat", prompt: [{ token: "bos" }, text("Tell me everything.")], maxTokens: 4000, temperature: 0.8, seed: 3 },
        {
          onText: () => {
            if (!killed) {
              killed = true;
              process.kill(pid, "SIGKILL");
            }
          },
        },
      )
      .then(() => "finished", (error: { code?: EngineErrorCode }) => error.code);
    expect(outcome).toBe("engineCrashed");
    const next = await engine.generate({ sequence: "chat", prompt: [{ token: "bos" }, text("again")], maxTokens: 4 });
    expect(next.metrics.generatedTokens).toBeGreaterThan(0);
    expect(engine.supervisor.pid).not.toBe(pid);
  });
});

describe("bad model files", () => {
  const cases: [string, (file: string) => Promise<unknown>, EngineErrorCode, RegExp][] = [
    ["a missing file", async () => undefined, "modelNotFound", /not found/],
    ["a file that is not GGUF", writeNotGguf, "notGguf", /not a GGUF/],
    ["a truncated GGUF", writeTruncatedModel, "truncatedModel", /truncated|incomplete/],
    ["a GGUF of another architecture", writeForeignArchitectureModel, "unsupportedArchitecture", /"llama"/],
    ["a model too large for memory", writeOversizedModelHeader, "modelTooLarge", /GiB/],
  ];

  it.each(cases)("%s gives a clear error naming the file, and the engine loads a good model next", async (_name, write, code, pattern) => {
    const file = path.join(scratch, `bad-${code}.gguf`);
    await write(file);
    let current = file;
    // The same supervisor is pointed at the bad file, then at the good one.
    const bad = new LocalEngine(
      new EngineSupervisor({ enginePath: path.resolve("dist/engine.mjs"), loadParams: () => ({ modelPath: current, contextSize: 1024, threads: 1 }) }),
    );
    try {
      const error = await bad.modelInfo().catch((e: unknown) => e);
      expect(error).toMatchObject({ code, message: expect.stringContaining(file) });
      expect((error as Error).message).toMatch(pattern);
      const pid = bad.supervisor.pid;
      current = modelPath;
      const info = await bad.supervisor.reload();
      expect(info.architecture).toBe("deepseek2");
      expect(bad.supervisor.pid).toBe(pid);
    } finally {
      await bad.dispose();
    }
  });
});
