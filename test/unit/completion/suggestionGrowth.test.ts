// A suggestion shown as a preview grows in place (issue 25): when more lines or the whole answer
// land in the cache, the provider asks VS Code to show it again, but only while the user is still
// where it was shown. Driven through the provider with the real pipeline over a fake `vscode`.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { Engine, GenerationOptions } from "../../../src/core/engine/engine.js";
import { CompletionPipeline, defaultCompletionSettings } from "../../../src/core/completion/completionPipeline.js";
import { defaultPrivacySettings } from "../../../src/core/privacy/secretPaths.js";
import { DeepSeekInlineCompletionProvider, growthQuietMs, reshowBindMs, reshowingContextKey } from "../../../src/vscode/completion/inlineProvider.js";
import type { GenerateResult } from "../../../src/protocol/engine.js";
import { FakeDocument, Position, Selection, Uri, fake } from "../../fixtures/fakeVscode.js";

const executed = vi.hoisted(() => [] as string[]);
/** The context keys set, in order (`key=value`), apart from the commands. */
const contexts = vi.hoisted(() => [] as string[]);

vi.mock("vscode", async () => {
  const { vscode } = await import("../../fixtures/fakeVscode.js");
  const executeCommand = async (command: string, ...args: unknown[]) =>
    void (command === "setContext" ? contexts.push(`${String(args[0])}=${String(args[1])}`) : executed.push(command));
  return { ...vscode, commands: { executeCommand } };
});

const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 2, promptMs: 0, firstTokenMs: 0, generationMs: 0, totalMs: 0 };
const tick = () => new Promise((r) => setTimeout(r, 5));
/** Past the quiet time after which a grown suggestion is shown. */
const quiet = () => new Promise((r) => setTimeout(r, growthQuietMs + 30));

/** An engine whose one infill streams what the test writes and ends when it says. */
function streamingEngine() {
  const stream = { write: (_text: string) => {}, end: (_text: string) => {} };
  const engine = {
    kind: "local",
    infill: (_request: unknown, options: GenerationOptions = {}) =>
      new Promise<GenerateResult>((resolve) => {
        stream.write = (text) => options.onText?.(text);
        stream.end = (text) => resolve({ text, stopReason: "eos", metrics });
      }),
  } as unknown as Engine;
  return { engine, stream };
}

describe("a shown suggestion that grows", () => {
  const text = "const total = ";
  let document: FakeDocument;
  let stream: ReturnType<typeof streamingEngine>["stream"];
  let provider: DeepSeekInlineCompletionProvider;
  let pipeline: CompletionPipeline;

  beforeEach(() => {
    fake.reset();
    executed.length = 0;
    contexts.length = 0;
    document = new FakeDocument(Uri.file("/w/sum.js"), text, "javascript");
    const editor = fake.show(document);
    editor.selection = new Selection(new Position(0, text.length), new Position(0, text.length));
    const scripted = streamingEngine();
    stream = scripted.stream;
    pipeline = new CompletionPipeline(scripted.engine, () => ({ ...defaultCompletionSettings, speculative: false }));
    provider = new DeepSeekInlineCompletionProvider(pipeline, { isActive: () => true, privacy: () => defaultPrivacySettings, onOutcome: () => undefined, onError: () => undefined, trace: () => undefined });
  });

  /** VS Code asking the provider at the end of the line: 1 when typing (Automatic), 0 for Invoke. */
  function ask(triggerKind: 0 | 1): Promise<vscode.InlineCompletionItem[] | vscode.InlineCompletionList | undefined> {
    const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
    return Promise.resolve(
      provider.provideInlineCompletionItems(
        document as unknown as vscode.TextDocument,
        new Position(0, text.length) as unknown as vscode.Position,
        { triggerKind, selectedCompletionInfo: undefined } as vscode.InlineCompletionContext,
        token as unknown as vscode.CancellationToken,
      ),
    );
  }

  async function showPreview(): Promise<string | undefined> {
    const items = ask(1);
    await tick();
    stream.write("values.reduce((sum, value) => su");
    const shown = await items;
    return shown && "length" in shown ? (shown[0]?.insertText as string) : undefined;
  }

  const whole = "values.reduce((sum, value) => sum + value, 0);";
  /** The preview shown, then the whole answer landed (and VS Code asked to show it). */
  async function growToWhole(): Promise<void> {
    expect(await showPreview()).toBe("values.reduce((sum, value) =>");
    stream.end(whole);
    await quiet();
  }

  async function invoke(): Promise<unknown[]> {
    return ((await ask(0)) as vscode.InlineCompletionItem[]).map((item) => item.insertText);
  }

  // VS Code's trigger alone keeps the suggestion shown now selected (and after an Invoke answer does
  // not ask at all): what it shows is hidden first.
  it("asks VS Code to show it again when a line completes and when the answer is whole", async () => {
    expect(await showPreview()).toBe("values.reduce((sum, value) =>");
    expect(executed).toEqual([]);
    stream.write("m + value, 0);\n");
    await tick();
    // Not while the user may still be typing.
    expect(executed).toEqual([]);
    await quiet();
    expect(executed).toEqual(["editor.action.inlineSuggest.hide", "editor.action.inlineSuggest.trigger"]);
    stream.end("values.reduce((sum, value) => sum + value, 0);\nconsole.log(total);");
    await quiet();
    expect(executed).toEqual(["editor.action.inlineSuggest.hide", "editor.action.inlineSuggest.trigger", "editor.action.inlineSuggest.hide", "editor.action.inlineSuggest.trigger"]);
    provider.dispose();
  });

  // Showing a grown suggestion hides it for a moment, when VS Code's Escape binding (suggestion
  // visible) would not reach the dismiss command: a context key keeps it bound.
  it("Escape while a grown suggestion is shown again: the re-ask's answer is refused, and the user's own Alt+\\ later works", async () => {
    await growToWhole();
    expect(executed).toEqual(["editor.action.inlineSuggest.hide", "editor.action.inlineSuggest.trigger"]);
    expect(contexts).toEqual([`${reshowingContextKey}=true`]);
    provider.dismissed();
    expect(await ask(0)).toBeUndefined();
    await new Promise((r) => setTimeout(r, reshowBindMs.afterAnswer + 30));
    expect(contexts).toEqual([`${reshowingContextKey}=true`, `${reshowingContextKey}=false`]);
    expect(await invoke()).toEqual([whole]);
    provider.dispose();
  });

  // Tab in the same moment would meet no suggestion, and VS Code's Tab would indent the line.
  it("Tab while a grown suggestion is shown again inserts the suggestion the user saw, once", async () => {
    await growToWhole();
    expect(await provider.acceptWhileReshowing()).toBe(true);
    expect(document.text).toBe(text + "values.reduce((sum, value) =>");
    // A second Tab is the editor's own.
    expect(await provider.acceptWhileReshowing()).toBe(false);
    provider.dispose();
  });

  it("Tab after the user moved, or with nothing being shown again, is left to the editor", async () => {
    expect(await provider.acceptWhileReshowing()).toBe(false);
    await growToWhole();
    fake.activeTextEditor!.selection = new Selection(new Position(0, 2), new Position(0, 2));
    expect(await provider.acceptWhileReshowing()).toBe(false);
    expect(document.text).toBe(text);
    provider.dispose();
  });

  it("the re-ask's answer shows when nobody dismissed it, and Escape is bound only briefly after it", async () => {
    await growToWhole();
    expect(await invoke()).toEqual([whole]);
    expect(contexts).toEqual([`${reshowingContextKey}=true`]);
    await new Promise((r) => setTimeout(r, reshowBindMs.afterAnswer + 30));
    expect(contexts).toEqual([`${reshowingContextKey}=true`, `${reshowingContextKey}=false`]);
    provider.dispose();
  });

  // On a loaded machine the re-ask's answer can come late: Tab must stay bound until VS Code has
  // had it for a while, or it would indent in the moment nothing is shown.
  it("a slow re-ask keeps Tab bound until after its answer, not for a fixed time from the ask", async () => {
    await growToWhole();
    const complete = pipeline.complete.bind(pipeline);
    vi.spyOn(pipeline, "complete").mockImplementation(async (input, signal) => {
      await new Promise((r) => setTimeout(r, reshowBindMs.afterAnswer + 100));
      return complete(input, signal);
    });
    const answered = invoke();
    await new Promise((r) => setTimeout(r, reshowBindMs.afterAnswer + 50));
    expect(contexts).toEqual([`${reshowingContextKey}=true`]);
    expect(await answered).toEqual([whole]);
    await new Promise((r) => setTimeout(r, reshowBindMs.afterAnswer - 100));
    expect(contexts).toEqual([`${reshowingContextKey}=true`]);
    await new Promise((r) => setTimeout(r, 150));
    expect(contexts).toEqual([`${reshowingContextKey}=true`, `${reshowingContextKey}=false`]);
    provider.dispose();
  });

  it("Alt+] on the suggestion as shown brings alternatives; an Invoke that finds it grown shows the rest first", async () => {
    await growToWhole();
    expect(executed).toEqual(["editor.action.inlineSuggest.hide", "editor.action.inlineSuggest.trigger"]);
    const asked = vi.spyOn(pipeline, "alternatives").mockResolvedValue(["values.length;"]);
    // The trigger's call (or the user's Alt+] meeting the grown answer first): the rest, no alternatives.
    expect(await invoke()).toEqual([whole]);
    expect(asked).not.toHaveBeenCalled();
    // Alt+] on what is shown now: the alternatives, however many triggers VS Code answered without asking.
    expect(await invoke()).toEqual([whole, "values.length;"]);
    expect(asked).toHaveBeenCalledTimes(1);
    provider.dispose();
  });

  it("Alt+] after a suggestion grew: the alternatives computed with it still shown, then VS Code's answer hidden and the next shown", async () => {
    await growToWhole();
    expect(await invoke()).toEqual([whole]);
    executed.length = 0;
    let hiddenWhileAsking = false;
    const asked = vi.spyOn(pipeline, "alternatives").mockImplementation(async () => {
      hiddenWhileAsking = executed.includes("editor.action.inlineSuggest.hide");
      return ["values.length;"];
    });
    await provider.showOther("next");
    expect(asked).toHaveBeenCalledTimes(1);
    expect(hiddenWhileAsking).toBe(false);
    expect(executed).toEqual(["editor.action.inlineSuggest.hide", "editor.action.inlineSuggest.trigger", "editor.action.inlineSuggest.showNext"]);
    // VS Code asks (Invoke) once the answer is hidden: the alternatives go with the suggestion.
    expect(await invoke()).toEqual([whole, "values.length;"]);
    // It now holds them: Alt+[ is VS Code's own cycling, nothing hidden or asked.
    executed.length = 0;
    await provider.showOther("previous");
    expect(executed).toEqual(["editor.action.inlineSuggest.showPrevious"]);
    expect(asked).toHaveBeenCalledTimes(2);
    provider.dispose();
  });

  it("Alt+] on an automatic answer is VS Code's own: it asks, and the provider adds the alternatives then", async () => {
    expect(await showPreview()).toBe("values.reduce((sum, value) =>");
    const asked = vi.spyOn(pipeline, "alternatives");
    await provider.showOther("next");
    expect(executed).toEqual(["editor.action.inlineSuggest.showNext"]);
    expect(asked).not.toHaveBeenCalled();
    provider.dispose();
  });

  it("Alt+] with no alternatives to offer hides nothing", async () => {
    await growToWhole();
    await invoke();
    executed.length = 0;
    vi.spyOn(pipeline, "alternatives").mockResolvedValue([]);
    await provider.showOther("next");
    expect(executed).toEqual(["editor.action.inlineSuggest.showNext"]);
    provider.dispose();
  });

  it("stays quiet once the user typed or moved", async () => {
    expect(await showPreview()).toBe("values.reduce((sum, value) =>");
    fake.activeTextEditor!.selection = new Selection(new Position(0, 2), new Position(0, 2));
    stream.write("m + value, 0);\n");
    await tick();
    fake.activeTextEditor!.selection = new Selection(new Position(0, text.length), new Position(0, text.length));
    document.version++;
    stream.end("values.reduce((sum, value) => sum + value, 0);\nconsole.log(total);");
    await quiet();
    expect(executed).toEqual([]);
  });

  it("does not show a grown suggestion when a key came within the quiet time", async () => {
    expect(await showPreview()).toBe("values.reduce((sum, value) =>");
    stream.end(whole);
    await tick();
    document.version++;
    await quiet();
    expect(executed).toEqual([]);
  });

  it("stays quiet after the user dismissed it with Escape", async () => {
    expect(await showPreview()).toBe("values.reduce((sum, value) =>");
    provider.dismissed();
    stream.end("values.reduce((sum, value) => sum + value, 0);\nconsole.log(total);");
    await quiet();
    expect(executed).toEqual([]);
  });
});
