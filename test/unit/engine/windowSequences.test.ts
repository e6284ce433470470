import { describe, expect, it } from "vitest";
import type { LlamaContext } from "node-llama-cpp";
import type { SequenceRunner } from "../../../src/engine/sequenceRunner.js";
import { WindowSequences, type ContextMaker, type MadeContext } from "../../../src/engine/windowSequences.js";

/** Contexts as plain objects: each runner is a label "<context>.<sequence>", each context counts its disposals. */
function harness(options: { failMaking?: boolean } = {}) {
  let made = 0;
  const disposed: string[] = [];
  const context = (name: string, sequences: number): MadeContext => ({
    context: { name, dispose: async () => void disposed.push(name) } as unknown as LlamaContext,
    runners: Array.from({ length: sequences }, (_, i) => `${name}.${i}` as unknown as SequenceRunner),
  });
  /** Whether each context asked for was ghost text's (foreground). */
  const asked: boolean[] = [];
  const make: ContextMaker = async (foreground) => {
    asked.push(foreground);
    if (options.failMaking) throw new Error("failed to allocate the KV cache");
    return context(`ctx${++made}`, 1);
  };
  const warnings: string[] = [];
  const windows = new WindowSequences(context("first", 3), make, (message) => warnings.push(message));
  /** The label of the runner window `index` gets for `name` (the task resolves at once). */
  const runnerOf = (index: number, name: "completion" | "chat" | "refactor") => windows.run(index, name, async (runner) => runner as unknown as string);
  /** A task on window `index`'s `name` runner that runs until `finish()`. */
  const held = (index: number, name: "chat" | "refactor") => {
    let finish!: () => void;
    let runner = "";
    const done = windows.run(index, name, (r) => {
      runner = r as unknown as string;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    return { finish: () => finish(), done, runner: () => runner };
  };
  return { windows, runnerOf, held, asked, disposed, warnings };
}

describe("WindowSequences", () => {
  it("gives window 0 the first context's ghost-text sequence, and every window the shared chat and refactor sequences", async () => {
    const { runnerOf, asked } = harness();
    expect(await runnerOf(0, "completion")).toBe("first.0");
    expect(await runnerOf(0, "chat")).toBe("first.1");
    expect(await runnerOf(2, "chat")).toBe("first.1");
    expect(await runnerOf(2, "refactor")).toBe("first.2");
    expect(asked).toEqual([]);
  });

  it("makes another window's ghost-text context (a foreground sequence) on its first completion, once", async () => {
    const { runnerOf, asked, windows } = harness();
    expect(await runnerOf(1, "completion")).toBe("ctx1.0");
    expect(await runnerOf(1, "completion")).toBe("ctx1.0");
    expect(await runnerOf(2, "completion")).toBe("ctx2.0");
    expect(asked).toEqual([true, true]);
    expect((await windows.contexts()).length).toBe(3);
  });

  it("gives a window whose chat finds the shared one busy with another window's request a chat sequence of its own, kept while it stays", async () => {
    const { runnerOf, held, asked } = harness();
    const streaming = held(0, "chat");
    await Promise.resolve();
    expect(streaming.runner()).toBe("first.1");
    expect(await runnerOf(1, "chat")).toBe("ctx1.0");
    expect(asked).toEqual([false]);
    // Its refactors still use the shared refactor sequence: nobody else was using that one.
    expect(await runnerOf(1, "refactor")).toBe("first.2");
    streaming.finish();
    await streaming.done;
    // Its chat KV is in its own sequence now: it stays there.
    expect(await runnerOf(1, "chat")).toBe("ctx1.0");
    expect(await runnerOf(0, "chat")).toBe("first.1");
    expect(asked).toEqual([false]);
  });

  it("tells chat and refactors apart: another window's refactor does not make a chat busy", async () => {
    const { runnerOf, held, asked } = harness();
    const refactoring = held(0, "refactor");
    await Promise.resolve();
    expect(await runnerOf(1, "chat")).toBe("first.1");
    expect(await runnerOf(1, "refactor")).toBe("ctx1.0");
    refactoring.finish();
    await refactoring.done;
    expect(asked).toEqual([false]);
  });

  it("queues a window's second request behind its own on the shared pair instead of making a pair", async () => {
    const { runnerOf, held, asked } = harness();
    const first = held(1, "chat");
    await Promise.resolve();
    expect(await runnerOf(1, "refactor")).toBe("first.2");
    first.finish();
    await first.done;
    // Once the shared pair is idle again, another window takes it too.
    expect(await runnerOf(2, "chat")).toBe("first.1");
    expect(asked).toEqual([]);
  });

  it("shares rather than fails when another context does not fit, and says so", async () => {
    const { runnerOf, held, warnings } = harness({ failMaking: true });
    expect(await runnerOf(1, "completion")).toBe("first.0");
    const streaming = held(0, "chat");
    await Promise.resolve();
    expect(await runnerOf(1, "chat")).toBe("first.1");
    streaming.finish();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/did not fit in memory.*failed to allocate/);
  });

  it("frees what a window made when it leaves, never the first context; the next window makes fresh ones", async () => {
    const { runnerOf, held, windows, disposed } = harness();
    await runnerOf(1, "completion");
    const streaming = held(0, "chat");
    await Promise.resolve();
    await runnerOf(1, "chat");
    streaming.finish();
    await streaming.done;
    await windows.free(1);
    expect(disposed.sort()).toEqual(["ctx1", "ctx2"]);
    expect(await runnerOf(1, "chat")).toBe("first.1");
    expect(await runnerOf(1, "completion")).toBe("ctx3.0");
    // Window 0 leaving frees only a pair of its own: its ghost text lives in the first context.
    const other = held(1, "chat");
    await Promise.resolve();
    await runnerOf(0, "chat");
    other.finish();
    await windows.free(0);
    expect(disposed).not.toContain("first");
    expect(disposed).toContain("ctx4");
    expect(await runnerOf(0, "completion")).toBe("first.0");
    expect((await windows.contexts()).map((made) => (made.context as unknown as { name: string }).name).sort()).toEqual(["ctx3", "first"]);
  });

  it("lists a window's runners without making any", async () => {
    const { windows, asked } = harness();
    expect(await windows.runnersOf(1)).toEqual({});
    await windows.run(1, "chat", async () => undefined);
    expect(await windows.runnersOf(1)).toEqual({ chat: "first.1", refactor: "first.2" });
    expect(asked).toEqual([]);
  });
});
