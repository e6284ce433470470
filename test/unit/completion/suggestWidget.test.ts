// The provider while the suggest widget is open (selectedCompletionInfo): the model is asked after
// the selected item's text, and the ghost text replaces the item's range and starts with its text,
// as VS Code requires to show it. And nothing at all while ghost text is snoozed. Driven through
// registerCompletion with the real Config and pipeline over a fake `vscode`.
import { afterEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import { CompletionGate } from "../../../src/vscode/completion/completionGate.js";
import { Config } from "../../../src/vscode/config.js";
import { FakeDocument, Position, Range, Uri, fake } from "../../fixtures/fakeVscode.js";
import { answeringEngine, registerWithFakes } from "./registeredCompletion.js";

const registered = vi.hoisted(() => ({ providers: [] as vscode.InlineCompletionItemProvider[] }));

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscodeForCompletion(registered));

const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) } as unknown as vscode.CancellationToken;

async function offered(provider: vscode.InlineCompletionItemProvider, document: FakeDocument, position: Position, selected?: { range: Range; text: string }) {
  const items = await provider.provideInlineCompletionItems(
    document as unknown as vscode.TextDocument,
    position as unknown as vscode.Position,
    { triggerKind: 1, selectedCompletionInfo: selected } as unknown as vscode.InlineCompletionContext,
    token,
  );
  return items && "length" in items ? (items as vscode.InlineCompletionItem[]) : undefined;
}

describe("ghost text with the suggest widget open", () => {
  const owned: { dispose(): unknown }[] = [];
  afterEach(() => owned.splice(0).forEach((disposable) => disposable.dispose()));

  /** The registered provider, and the infill requests its engine receives. */
  function registeredProvider() {
    const infills: Parameters<typeof answeringEngine>[0] = [];
    registered.providers.length = 0;
    registerWithFakes(answeringEngine(infills), owned);
    return { provider: registered.providers[0]!, infills };
  }

  it("asks after the selected item and offers its text first, over its range", async () => {
    const { provider, infills } = registeredProvider();
    const text = "const n = items.\n";
    const document = new FakeDocument(Uri.file("/w/src/a.ts"), text, "typescript");
    const itemRange = new Range(new Position(0, 15), new Position(0, 16));
    const items = await offered(provider, document, new Position(0, 16), { range: itemRange, text: ".length" });
    expect(infills).toHaveLength(1);
    expect(infills[0]!.prefix.endsWith("const n = items.length")).toBe(true);
    expect(items).toHaveLength(1);
    expect(items![0]!.insertText).toBe(".lengthtotal + 1");
    expect(items![0]!.range).toBe(itemRange);
  });

  it("offers nothing when the item's range does not hold the cursor", async () => {
    const { provider, infills } = registeredProvider();
    const document = new FakeDocument(Uri.file("/w/src/a.ts"), "abc def", "typescript");
    const items = await offered(provider, document, new Position(0, 3), { range: new Range(new Position(0, 4), new Position(0, 7)), text: "define" });
    expect(items).toBeUndefined();
    expect(infills).toHaveLength(0);
  });
});

describe("CompletionGate", () => {
  it("keeps ghost text off while snoozed and back on after resume", () => {
    fake.reset();
    const gate = new CompletionGate({ config: new Config("/storage"), supervisor: { state: { kind: "ready" } } } as never);
    expect(gate.isActive("typescript")).toBe(true);
    const changes: number[] = [];
    gate.onDidChange(() => changes.push(Date.now()));
    gate.snoozeFor(5);
    expect(gate.isActive("typescript")).toBe(false);
    expect(gate.availability("typescript")).toMatchObject({ on: false, reason: "snoozed" });
    gate.resume();
    expect(gate.isActive("typescript")).toBe(true);
    expect(changes).toHaveLength(2);
    gate.dispose();
  });
});
