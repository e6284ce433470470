import { describe, expect, it } from "vitest";
import { defaultBatchSize, defaultMmap } from "../../src/engine/contextDefaults";
import { engineProcessEnv } from "../../src/supervisor/engineSupervisor";
import { eachPeer, peerMatchedEngineOptions, peerSettings } from "../bench/util/peerSettings";

const ctx = { threads: 3, flashAttention: false };
const argAfter = (args: readonly string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

describe("peerSettings (bench, issue 24)", () => {
  const engine = peerMatchedEngineOptions(ctx, "/models/m.gguf", 4096);

  it("gives the matched llama-server the engine's threads, context, flash attention, load mode and batches", () => {
    const peer = peerSettings(engine, "matched", {}, "linux");
    expect(peer.threads).toBe(engine.threads);
    expect(peer.ctxSize).toBe(engine.contextSize);
    expect(argAfter(peer.extraArgs, "--flash-attn")).toBe("off");
    // The engine resolves the unset mmap and batch size with these functions on a CPU-only load.
    expect(engine.gpuLayers).toBe(0);
    expect(defaultMmap(true)).toBe(false);
    expect(argAfter(peer.extraArgs, "--load-mode")).toBe("none");
    expect(argAfter(peer.extraArgs, "--ubatch-size")).toBe(String(defaultBatchSize(true)));
    // The logical batch holds a whole prompt: /infill cuts its prompt to fit it.
    expect(argAfter(peer.extraArgs, "--batch-size")).toBe("4096");
  });

  it("gives the matched llama-server the engine process's environment, malloc tunables included", () => {
    const parent = { PATH: "/bin", GLIBC_TUNABLES: "glibc.malloc.arena_max=2" };
    const peer = peerSettings(engine, "matched", parent, "linux");
    const engineEnv = engineProcessEnv(parent, engine.env, "linux");
    expect(peer.env).toEqual(engineEnv);
    expect(peer.env?.GLIBC_TUNABLES).toContain("glibc.malloc.hugetlb=1");
    expect(peer.env?.GLIBC_TUNABLES).toContain("glibc.malloc.trim_threshold=");
    expect(peer.env?.GLIBC_TUNABLES).toContain("glibc.malloc.arena_max=2");
  });

  it("follows the engine's explicit settings", () => {
    const mapped = peerMatchedEngineOptions({ threads: 2, flashAttention: true }, "/m.gguf", 2048, { mmap: true, batchSize: 512 });
    const peer = peerSettings(mapped, "matched", {}, "linux");
    expect(peer.threads).toBe(2);
    expect(argAfter(peer.extraArgs, "--flash-attn")).toBe("on");
    expect(argAfter(peer.extraArgs, "--load-mode")).toBe("mmap");
    expect(argAfter(peer.extraArgs, "--batch-size")).toBe("2048");
    expect(argAfter(peer.extraArgs, "--ubatch-size")).toBe("512");
  });

  it("leaves the defaults peer with the workload only: same threads, context and flash attention, nothing else", () => {
    const peer = peerSettings(engine, "defaults", { PATH: "/bin" }, "linux");
    expect(peer).toEqual({ threads: 3, ctxSize: 4096, extraArgs: ["--flash-attn", "off"] });
  });
});

describe("eachPeer", () => {
  it("keeps the matched peer next to the engine: matched first in even rounds, last in odd ones", async () => {
    const order: string[] = [];
    const run = async (config: string) => {
      order.push(config);
      return config.length;
    };
    expect(await eachPeer(0, run, 0)).toEqual({ matched: 7, defaults: 8 });
    expect(await eachPeer(1, run, 0)).toEqual({ matched: 7, defaults: 8 });
    expect(order).toEqual(["matched", "defaults", "defaults", "matched"]);
  });
});
