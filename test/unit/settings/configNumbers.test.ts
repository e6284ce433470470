// Number settings as Config hands them on (issue 24): VS Code does not hold values typed into
// settings.json to the manifest's minimum and maximum, so Config does, and the engine never gets a
// context, layer count, token cap or cache size it would refuse or misuse.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { Config, contextSizeSetting, gpuLayersSetting } from "../../../src/vscode/config.js";
import { fake } from "../../fixtures/fakeVscode.js";

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscode);

const config = new Config("/storage");
const set = (values: Record<string, unknown>) => {
  for (const [key, value] of Object.entries(values)) fake.settings.set(`deepseekLocal.${key}`, value);
};

beforeEach(() => {
  fake.reset();
  set({ "model.path": "/models/coder.gguf" });
});

describe("engine.contextSize", () => {
  it("passes a size within the bounds on as it is", () => {
    set({ "engine.contextSize": 16384 });
    expect(config.contextSize).toBe(16384);
    expect(config.loadParams?.contextSize).toBe(16384);
  });

  it("raises a size below the manifest's minimum to 512", () => {
    set({ "engine.contextSize": 100 });
    expect(config.contextSize).toBe(512);
    expect(config.loadParams?.contextSize).toBe(512);
    set({ "engine.contextSize": -4096 });
    expect(config.loadParams?.contextSize).toBe(512);
  });

  it("lowers a size above what the engine accepts to 2^20", () => {
    set({ "engine.contextSize": 10_000_000 });
    expect(config.contextSize).toBe(1 << 20);
    expect(config.loadParams?.contextSize).toBe(1 << 20);
  });

  it("rounds a fractional size down to whole tokens", () => {
    set({ "engine.contextSize": 4096.7 });
    expect(config.loadParams?.contextSize).toBe(4096);
  });

  it("uses the default for a value that is not a number", () => {
    for (const value of ["8k", null, Number.NaN, Number.POSITIVE_INFINITY]) expect(contextSizeSetting(value), String(value)).toBe(8192);
    set({ "engine.contextSize": "16384" });
    expect(config.loadParams?.contextSize).toBe(8192);
  });
});

describe("the other engine and cache numbers", () => {
  it("gpuLayers: a number is whole and not negative; anything else is auto", () => {
    set({ "engine.gpuLayers": 12.9 });
    expect(config.loadParams?.gpuLayers).toBe(12);
    set({ "engine.gpuLayers": -3 });
    expect(config.loadParams?.gpuLayers).toBe(0);
    set({ "engine.gpuLayers": "all" });
    expect(config.loadParams?.gpuLayers).toBe("auto");
  });

  it("gpuLayers: the Settings UI's text (digits or auto) is read as the number or auto", () => {
    set({ "engine.gpuLayers": "20" });
    expect(config.loadParams?.gpuLayers).toBe(20);
    set({ "engine.gpuLayers": "0" });
    expect(config.loadParams?.gpuLayers).toBe(0);
    set({ "engine.gpuLayers": "auto" });
    expect(config.loadParams?.gpuLayers).toBe("auto");
    for (const text of ["", "-3", "1e3", "12 layers"]) expect(gpuLayersSetting(text), text).toBe("auto");
  });

  it("cache.maxSizeGB: a negative size is no space, not a negative byte count", () => {
    set({ "cache.maxSizeGB": -2 });
    expect(config.loadParams?.diskCache?.maxBytes).toBe(0);
    set({ "cache.maxSizeGB": 1.5 });
    expect(config.loadParams?.diskCache?.maxBytes).toBe(1.5 * 1024 ** 3);
  });
});

describe("chat.maxTokens", () => {
  it("is a whole number of at least 16", () => {
    set({ "chat.maxTokens": 3 });
    expect(config.chat.maxTokens).toBe(16);
    set({ "chat.maxTokens": 2048.9 });
    expect(config.chat.maxTokens).toBe(2048);
  });
});

describe("completion numbers", () => {
  it("are raised to the manifest's minimum", () => {
    set({
      "completion.prefixTokens": 0,
      "completion.suffixTokens": -5,
      "completion.maxTokens": 0,
      "completion.timeoutMs": 1,
      "completion.maxLines": 0,
      "completion.extraContext.chunks": -1,
      "completion.extraContext.tokens": -1,
    });
    expect(config.completion.pipeline).toMatchObject({
      prefixTokens: 16,
      suffixTokens: 0,
      maxTokens: 1,
      timeoutMs: 50,
      maxLines: 1,
      extraContextChunks: 0,
      extraContextTokens: 0,
    });
  });

  it("keep values above the minimum", () => {
    set({ "completion.prefixTokens": 2048, "completion.maxTokens": 128, "completion.timeoutMs": 800, "completion.maxLines": 3, "completion.extraContext.chunks": 4 });
    expect(config.completion.pipeline).toMatchObject({ prefixTokens: 2048, maxTokens: 128, timeoutMs: 800, maxLines: 3, extraContextChunks: 4 });
  });

  it("extraContext.enabled off means no extra-context chunks, whatever the count says", () => {
    set({ "completion.extraContext.enabled": false, "completion.extraContext.chunks": 6 });
    expect(config.completion.pipeline.extraContextChunks).toBe(0);
  });
});
