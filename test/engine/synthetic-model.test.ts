// The synthetic DeepSeek MoE model (test/fixtures/synthetic-model/): node-llama-cpp reads back what
// the writer wrote, and the model loads and generates in a child process (a bad file aborts the
// process that loads it, so never this one). Random weights: assert on structure and agreement
// between files, never on text.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataForModel } from "../fixtures/synthetic-model/deepseek2-metadata";
import { fileTypeOf, planModel } from "../fixtures/synthetic-model/deepseek2-model";
import type { GgufKeyValue } from "../fixtures/synthetic-model/gguf-writer";
import {
  DEEPSEEK_TOKENS,
  TokenType,
  WRITER_VERSION,
  ensureSyntheticModel,
  resolveModelOptions,
  runModelInChild,
  writeForeignArchitectureModel,
  writeNotGguf,
  writeOversizedModelHeader,
  writeSyntheticModel,
  writeTruncatedModel,
  type ChildRunResult,
} from "../fixtures/synthetic-model/index";

const PROMPTS = ["def fibonacci(n):", "Hello world", "import numpy as np\n", "The quick brown fox", "class Foo {"];

let scratch: string;
let f16Model: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "synthetic-model-test-"));
  f16Model = await ensureSyntheticModel();
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (d) => hash.update(d))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject);
  });
}

/** node-llama-cpp nests metadata by dotted key; flatten it back to "a.b.c" → value. */
function flatten(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flatten(v, full, out);
    else out.set(full, v);
  }
  return out;
}

/** What a reader should see for a written value (floats come back as float32). */
function expectedValue(kv: GgufKeyValue): unknown {
  const v = kv.value;
  if (v.type === "float32") return Math.fround(v.value);
  if (v.type === "array" && v.itemType === "float32") return v.value.map((x) => Math.fround(x));
  return v.value;
}

describe("the tiny synthetic model, read back by node-llama-cpp", () => {
  it("has every metadata key written, with the same value and nothing else", async () => {
    const options = resolveModelOptions();
    const written = metadataForModel(options, fileTypeOf(options.type), WRITER_VERSION);
    const info = await readGgufFileInfo(f16Model, { logWarnings: false });
    expect(info.version).toBe(3);
    const read = flatten(info.metadata);
    expect([...read.keys()].sort()).toEqual(written.map((kv) => kv.key).sort());
    for (const kv of written) {
      expect(read.get(kv.key), kv.key).toEqual(expectedValue(kv));
    }
  });

  it("describes a DeepSeek MoE with MLA, a dense lead block, routed and shared experts", async () => {
    const info = await readGgufFileInfo(f16Model, { logWarnings: false });
    const m = flatten(info.metadata);
    expect(m.get("general.architecture")).toBe("deepseek2");
    expect(m.get("deepseek2.attention.head_count_kv")).toBe(1);
    expect(m.get("deepseek2.attention.q_lora_rank")).toBe(0);
    expect(m.get("deepseek2.attention.key_length_mla")).toBe(48);
    expect(m.get("deepseek2.attention.value_length_mla")).toBe(32);
    expect(m.get("deepseek2.leading_dense_block_count")).toBe(1);
    expect(m.get("deepseek2.expert_used_count") as number).toBeLessThan(m.get("deepseek2.expert_count") as number);
    expect(m.get("deepseek2.expert_shared_count")).toBe(1);
    expect(m.get("tokenizer.ggml.pre")).toBe("deepseek-v3");
    expect(m.get("tokenizer.chat_template")).toContain("'Assistant: ' + message['content'] + eos_token");
    const tokens = m.get("tokenizer.ggml.tokens") as string[];
    const types = m.get("tokenizer.ggml.token_type") as number[];
    expect(tokens).toHaveLength(129_280);
    for (const [id, text] of [[128800, DEEPSEEK_TOKENS.fimHole], [128801, DEEPSEEK_TOKENS.fimBegin], [128802, DEEPSEEK_TOKENS.fimEnd]] as const) {
      expect(tokens[id]).toBe(text);
      expect(types[id]).toBe(TokenType.CONTROL);
    }
    expect(tokens[129_279]).toBe("[PAD129279]");
    expect(types[129_279]).toBe(TokenType.UNUSED);

    const names = new Set(info.tensorInfo?.map((t) => t.name));
    for (const name of ["blk.0.ffn_gate.weight", "blk.1.attn_k_b.weight", "blk.1.attn_v_b.weight", "blk.1.ffn_gate_exps.weight", "blk.1.ffn_gate_shexp.weight", "output.weight"]) {
      expect(names.has(name), name).toBe(true);
    }
    expect(names.has("blk.1.attn_kv_b.weight")).toBe(false);
    expect(names.has("blk.0.ffn_gate_exps.weight")).toBe(false);
  });

  it("has the planned tensors, in order, with their shapes, types and aligned offsets", async () => {
    const planned = planModel(resolveModelOptions({ type: "q8_0" }));
    const info = await readGgufFileInfo(await ensureSyntheticModel({ type: "q8_0" }), { logWarnings: false });
    const tensors = info.tensorInfo ?? [];
    expect(tensors.map((t) => t.name)).toEqual(planned.map((t) => t.name));
    tensors.forEach((t, i) => {
      expect(t.dimensions.map(Number), t.name).toEqual(planned[i].dims);
      expect(t.ggmlType as number, t.name).toBe(planned[i].type);
      expect(Number(t.fileOffset) % 32, t.name).toBe(0);
    });
    const typeOf = (name: string) => tensors.find((t) => t.name === name)?.ggmlType as number;
    expect(typeOf("blk.1.attn_norm.weight")).toBe(0); // F32
    expect(typeOf("blk.1.ffn_gate_inp.weight")).toBe(0); // router stays F32
    expect(typeOf("blk.1.ffn_up_exps.weight")).toBe(8); // Q8_0
    expect(typeOf("token_embd.weight")).toBe(8);
  });
});

describe("the tiny synthetic model in node-llama-cpp (child process)", () => {
  let f16: ChildRunResult;

  beforeAll(async () => {
    f16 = await runModelInChild({
      modelPath: f16Model,
      prompts: PROMPTS,
      maxTokens: 32,
      tokenize: [DEEPSEEK_TOKENS.fimBegin, DEEPSEEK_TOKENS.fimHole, DEEPSEEK_TOKENS.fimEnd, `${DEEPSEEK_TOKENS.fimBegin}x = 1`],
      infill: [{ prefix: "def add(a, b):\n    return ", suffix: "\n\nprint(add(1, 2))\n" }],
    });
  });

  it("loads and greedily generates 32 tokens per prompt", () => {
    expect(f16.results).toHaveLength(PROMPTS.length);
    for (const r of f16.results) {
      expect(r.tokens).toHaveLength(32);
      // Output rows of control/padding tokens are zero: text tokens only, never EOS or [PAD…].
      expect(r.tokens.every((t) => t > 2 && t < 128_000)).toBe(true);
      expect(r.text.length).toBeGreaterThan(0);
    }
    // Not an echo of the prompt (tied embeddings would do that).
    expect(new Set(f16.results.map((r) => r.tokens[0])).size).toBeGreaterThan(1);
  });

  it("tokenizes the FIM tokens as single control tokens and knows them as infill tokens", () => {
    expect(f16.tokenizations[DEEPSEEK_TOKENS.fimBegin]).toEqual([128801]);
    expect(f16.tokenizations[DEEPSEEK_TOKENS.fimHole]).toEqual([128800]);
    expect(f16.tokenizations[DEEPSEEK_TOKENS.fimEnd]).toEqual([128802]);
    expect(f16.tokenizations[`${DEEPSEEK_TOKENS.fimBegin}x = 1`][0]).toBe(128801);
    expect(f16.info.infill).toEqual({ prefix: 128801, suffix: 128800, middle: 128802 });
    expect([f16.info.bos, f16.info.eos]).toEqual([0, 1]);
  });

  it("gives non-empty fill-in-the-middle completions (peaked output distribution)", () => {
    expect(f16.infills[0].supported).toBe(true);
    expect(f16.infills[0].text.length).toBeGreaterThan(0);
  });

  it("in Q8_0 loads and greedily agrees with the F16 model", async () => {
    const q8 = await runModelInChild({ modelPath: await ensureSyntheticModel({ type: "q8_0" }), prompts: PROMPTS, maxTokens: 32 });
    PROMPTS.forEach((_, i) => {
      // Quantization noise may tip a later token, after which the paths part; the first few agree.
      expect(q8.results[i].tokens.slice(0, 3), PROMPTS[i]).toEqual(f16.results[i].tokens.slice(0, 3));
    });
    const sameFirst8 = PROMPTS.filter((_, i) => q8.results[i].tokens.slice(0, 8).join() === f16.results[i].tokens.slice(0, 8).join());
    expect(sameFirst8.length).toBeGreaterThanOrEqual(2);
  });

  it("in Q4_0 loads, generates, and mostly starts like the F16 model", async () => {
    const q4 = await runModelInChild({ modelPath: await ensureSyntheticModel({ type: "q4_0" }), prompts: PROMPTS, maxTokens: 8 });
    for (const r of q4.results) expect(r.tokens).toHaveLength(8);
    const sameFirst = PROMPTS.filter((_, i) => q4.results[i].tokens[0] === f16.results[i].tokens[0]).length;
    expect(sameFirst).toBeGreaterThanOrEqual(3);
  });

  it("with V3 routing and the V3 chat template loads and generates", async () => {
    const file = await ensureSyntheticModel({ routing: "v3", chatTemplate: "v3" });
    const v3 = await runModelInChild({ modelPath: file, prompts: PROMPTS.slice(0, 2), maxTokens: 8 });
    for (const r of v3.results) expect(r.tokens).toHaveLength(8);
    const info = await readGgufFileInfo(file, { logWarnings: false });
    const m = flatten(info.metadata);
    expect(m.get("deepseek2.expert_gating_func")).toBe(2);
    expect(m.get("tokenizer.chat_template")).toContain("<｜Assistant｜>");
    expect(info.tensorInfo?.some((t) => t.name === "blk.1.exp_probs_b.bias")).toBe(true);
  });
});

describe("reproducibility", () => {
  it("the same options give a byte-identical file; another seed does not", async () => {
    const again = path.join(scratch, "again.gguf");
    const other = path.join(scratch, "other.gguf");
    await writeSyntheticModel(again, {});
    await writeSyntheticModel(other, { seed: 2 });
    const [a, b, c] = await Promise.all([sha256(f16Model), sha256(again), sha256(other)]);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect((await stat(other)).size).toBe((await stat(again)).size);
  });
});

describe("fixtures for bad model files", () => {
  it("not a GGUF: node-llama-cpp's reader rejects it", async () => {
    const file = path.join(scratch, "not.gguf");
    await writeNotGguf(file);
    await expect(readGgufFileInfo(file, { logWarnings: false })).rejects.toThrow();
  });

  it("truncated: the header parses, the data ends inside the tensors", async () => {
    const file = path.join(scratch, "truncated.gguf");
    const { fullBytes, bytes } = await writeTruncatedModel(file);
    expect((await stat(file)).size).toBe(bytes);
    const info = await readGgufFileInfo(file, { logWarnings: false });
    expect(info.infoEndOffset).toBeLessThan(bytes);
    const last = info.tensorInfo?.at(-1);
    expect(last?.name).toBe("output.weight");
    const lastEnd = Number(last?.fileOffset) + 128 * 129_280 * 2; // F16 [128, 129280]
    expect(lastEnd).toBe(fullBytes);
    expect(bytes).toBeLessThan(lastEnd);
  });

  it("foreign architecture: a small llama model that llama.cpp loads and runs", async () => {
    const file = path.join(scratch, "llama.gguf");
    await writeForeignArchitectureModel(file);
    const info = await readGgufFileInfo(file, { logWarnings: false });
    expect(flatten(info.metadata).get("general.architecture")).toBe("llama");
    const run = await runModelInChild({ modelPath: file, prompts: ["Hello"], maxTokens: 4 });
    expect(run.results[0].tokens.length).toBeGreaterThan(0);
  });

  it("oversized: a header describing > 64 GiB over a sparse file that uses almost no disk", async () => {
    const file = path.join(scratch, "huge.gguf");
    const { bytes } = await writeOversizedModelHeader(file);
    const info = await stat(file);
    expect(info.size).toBe(bytes);
    expect(bytes).toBeGreaterThan(64 * 2 ** 30);
    expect(info.blocks * 512).toBeLessThan(64 * 2 ** 20);
    const gguf = await readGgufFileInfo(file, { logWarnings: false });
    expect(flatten(gguf.metadata).get("deepseek2.expert_count")).toBe(256);
  });
});
