// The model request starts as the user types, before VS Code asks 50 ms later (issue 25), and VS
// Code's call joins it; a cursor move without an edit, or a switched-off language, asks nothing.
// Driven through registerCompletion with the real Config and pipeline over a fake `vscode`.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { InfillRequest } from "../../../src/core/engine/engine.js";
import { FakeDocument, Position, Selection, Uri, fake } from "../../fixtures/fakeVscode.js";
import { answeringEngine, offeredGhostText, registerWithFakes } from "./registeredCompletion.js";

const registered = vi.hoisted(() => ({ providers: [] as vscode.InlineCompletionItemProvider[] }));

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscodeForCompletion(registered));

const settle = () => new Promise((r) => setTimeout(r, 1));

describe("requests start as the user types", () => {
  const infills: InfillRequest[] = [];
  const owned: { dispose(): unknown }[] = [];
  const text = "def inc(total):\n    return ";
  const end = new Position(1, 11);
  let document: FakeDocument;

  beforeEach(() => {
    infills.length = 0;
    registered.providers.length = 0;
    registerWithFakes(answeringEngine(infills), owned);
    document = new FakeDocument(Uri.file("/w/inc.py"), text, "python");
    fake.show(document);
  });

  afterEach(() => {
    for (const disposable of owned.splice(0)) disposable.dispose();
  });

  /** The user typed: the text changes, then the cursor moves after it. */
  function typed(): void {
    fake.type(document, 1);
    moveCursor();
  }

  function moveCursor(): void {
    const editor = fake.activeTextEditor!;
    editor.selection = new Selection(end, end);
    fake.events.changeSelection.fire({ textEditor: editor, selections: [editor.selection] });
  }

  it("starts the request on the keystroke; VS Code's call is served by it", async () => {
    typed();
    await settle();
    expect(infills.map((r) => r.prefix)).toEqual([text]);
    expect(await offeredGhostText(registered.providers[0]!, document, end)).toBe("total + 1");
    expect(infills).toHaveLength(1);
  });

  it("asks nothing for a cursor move without an edit", async () => {
    moveCursor();
    await settle();
    expect(infills).toHaveLength(0);
  });

  it("asks nothing where ghost text is off: the language, or the editor's inline suggestions", async () => {
    fake.settings.set("deepseekLocal.completion.languages", { python: false });
    typed();
    fake.settings.delete("deepseekLocal.completion.languages");
    fake.settings.set("editor.inlineSuggest.enabled", false);
    typed();
    await settle();
    expect(infills).toHaveLength(0);
  });

  it("leaves a server to be asked when VS Code asks", async () => {
    fake.settings.set("deepseekLocal.backend.completion", "remote");
    typed();
    await settle();
    expect(infills).toHaveLength(0);
  });
});
