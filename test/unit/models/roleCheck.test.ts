import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkModelHeader, headerFactsFromMetadata, type ModelHeaderVerdict } from "../../../src/core/models/roleCheck";
import { checkModelFileRoles, readGgufMetadataFile } from "../../../src/vscode/models/readModelHeader";
import {
  ensureSyntheticModel,
  writeForeignArchitectureModel,
  writeNotGguf,
  writeTruncatedModel,
} from "../../fixtures/synthetic-model/index";

let dir: string;
let good: Record<string, unknown>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dsl-rolecheck-"));
  good = (await readGgufMetadataFile(await ensureSyntheticModel())).values;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const both = ["completion", "chat"] as const;
function verdict(values: Record<string, unknown>, contextSize = 4096, roles: readonly ("completion" | "chat")[] = both): ModelHeaderVerdict {
  return checkModelHeader(headerFactsFromMetadata(values), { file: "model.gguf", roles, contextSize });
}
const codes = (v: ModelHeaderVerdict) => v.problems.map((p) => p.code);
const without = (key: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== key));

describe("GGUF role checks", () => {
  it("the synthetic DeepSeek model serves completion and chat", () => {
    const v = verdict(good);
    expect(v.problems).toEqual([]);
    expect(v.usableRoles).toEqual(["completion", "chat"]);
  });

  it("a model of another architecture (bad-model writer) is unusable", async () => {
    const file = path.join(dir, "llama.gguf");
    await writeForeignArchitectureModel(file);
    const v = await checkModelFileRoles(file, both, 4096);
    expect(v.usableRoles).toEqual([]);
    expect(codes(v)).toContain("unsupportedArchitecture");
    expect(v.problems.find((p) => p.code === "unsupportedArchitecture")!.message).toMatch(/"llama" model; DeepSeek Local runs DeepSeek MoE models/);
  });

  it("a file that is not GGUF says so", async () => {
    const file = path.join(dir, "notes.gguf");
    await writeNotGguf(file);
    const v = await checkModelFileRoles(file, both, 4096);
    expect(codes(v)).toEqual(["notGguf"]);
    expect(v.problems[0]!.message).toMatch(/does not start with "GGUF"/);
  });

  it("a truncated download still has a readable header (the size check catches it), a cut header does not", async () => {
    const file = path.join(dir, "cut.gguf");
    await writeTruncatedModel(file);
    expect((await checkModelFileRoles(file, both, 4096)).usableRoles).toEqual(["completion", "chat"]);
    const { truncate } = await import("node:fs/promises");
    await truncate(file, 100_000);
    const v = await checkModelFileRoles(file, both, 4096);
    expect(codes(v)).toEqual(["notGguf"]);
    expect(v.problems[0]!.message).toMatch(/truncated/);
  });

  it("no FIM tokens: unusable for completion only", () => {
    const values = { ...good };
    for (const key of ["tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.fim_mid_token_id"]) delete values[key];
    // By id gone, the checks fall back to the token texts: still found.
    expect(verdict(values).usableRoles).toEqual(["completion", "chat"]);
    values["tokenizer.ggml.tokens"] = (good["tokenizer.ggml.tokens"] as string[]).map((t) => (t.includes("fim") ? "[UNUSED]" : t));
    const v = verdict(values);
    expect(v.usableRoles).toEqual(["chat"]);
    expect(codes(v)).toEqual(["noFimTokens"]);
    expect(v.problems[0]!.message).toMatch(/no fill-in-the-middle tokens \(missing: prefix, suffix, middle\)/);
  });

  it("no chat template: unusable for chat only, and only when chat is asked for", () => {
    const v = verdict(without("tokenizer.chat_template"));
    expect(v.usableRoles).toEqual(["completion"]);
    expect(codes(v)).toEqual(["noChatTemplate"]);
    expect(v.problems[0]!.message).toMatch(/no chat template/);
    expect(verdict(without("tokenizer.chat_template"), 4096, ["completion"]).problems).toEqual([]);
  });

  it("a foreign tokenizer is unusable", () => {
    const v = verdict({ ...good, "tokenizer.ggml.pre": "llama-bpe" });
    expect(codes(v)).toEqual(["unsupportedTokenizer"]);
    expect(v.usableRoles).toEqual([]);
    expect(v.problems[0]!.message).toMatch(/"gpt2\/llama-bpe"/);
    expect(codes(verdict({ ...good, "tokenizer.ggml.model": "llama" }))).toEqual(["unsupportedTokenizer"]);
  });

  it("a missing vocabulary is unusable", () => {
    expect(codes(verdict(without("tokenizer.ggml.tokens")))).toContain("missingVocabulary");
  });

  it("context length: missing, too short for any use, or shorter than the setting (advice only)", () => {
    expect(codes(verdict(without("deepseek2.context_length")))).toEqual(["missingContextLength"]);
    const short = verdict({ ...good, "deepseek2.context_length": 2048 }, 8192);
    expect(codes(short)).toEqual(["contextTooShort"]);
    expect(short.usableRoles).toEqual([]);
    expect(short.problems[0]!.message).toMatch(/trained for 2048 tokens/);
    const advice = verdict(good, 65_536);
    expect(advice.usableRoles).toEqual(["completion", "chat"]);
    expect(advice.problems).toEqual([expect.objectContaining({ code: "contextTooShort", severity: "advice" })]);
    expect(advice.problems[0]!.message).toMatch(/Set the context size to 32768 or less/);
  });
});
