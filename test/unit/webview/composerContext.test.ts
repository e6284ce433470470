// @vitest-environment jsdom
// The composer's `@` menu, attachment chips with their token estimates and the budget mark, and the
// `/` menu of refactor actions (issue 22, item 4).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Attachment } from "../../../src/core/chat/conversation.js";
import type { ChatViewState } from "../../../src/protocol/webview.js";

const posted = vi.hoisted(() => {
  const messages: unknown[] = [];
  (globalThis as Record<string, unknown>).acquireVsCodeApi = () => ({ postMessage: (m: unknown) => messages.push(m), getState: () => undefined, setState: () => undefined });
  return messages;
});

const { Composer } = await import("../../../src/webview/composer.js");

beforeEach(() => void posted.splice(0));

const chip = (label: string, tokens: number): Attachment => ({ kind: "problems", label, path: "", languageId: "", text: "x", tokens });
const state = (pending: Attachment[], attachmentBudget: number | null): ChatViewState => ({
  conversation: { id: "c1", title: "New chat", createdAt: 0, updatedAt: 0, entries: [] },
  history: [],
  pending,
  streamingEntryId: null,
  modelLabel: "DeepSeek",
  location: "",
  attachmentBudget,
  slashCommands: [
    { id: "withInstruction", title: "Refactor with Instruction…", takesInstruction: true },
    { id: "simplify", title: "Simplify / Modernize", takesInstruction: false },
    { id: "custom.tidy-up", title: "Tidy Up", takesInstruction: false },
  ],
});

function type(composer: InstanceType<typeof Composer>, text: string): void {
  for (const character of text) {
    composer.input.value += character;
    composer.input.setSelectionRange(composer.input.value.length, composer.input.value.length);
    composer.input.dispatchEvent(new InputEvent("input", { data: character }));
  }
}

const testIds = (root: HTMLElement, selector: string) => [...root.querySelectorAll<HTMLElement>(selector)].filter((el) => !el.closest("[hidden]")).map((el) => el.dataset.testid);

describe("composer context", () => {
  it("a typed @ opens the menu instead of staying in the text; @problems asks the host for that provider", () => {
    const composer = new Composer(() => undefined);
    type(composer, "@");
    expect(composer.input.value).toBe("");
    expect(testIds(composer.element, ".mention-item")).toEqual(["mention-file", "mention-problems", "mention-changes", "mention-folder", "mention-symbol", "mention-terminal"]);
    composer.element.querySelector<HTMLElement>("[data-testid=mention-problems]")!.click();
    expect(posted).toEqual([{ type: "attachContext", kind: "problems" }]);
    expect(testIds(composer.element, ".mention-item")).toEqual([]);
  });

  it("each chip says its tokens; the chips past the budget are marked, the ones before are not", () => {
    const composer = new Composer(() => undefined);
    composer.update(state([chip("A", 300), chip("B", 500), chip("C", 100)], 700));
    const chips = [...composer.element.querySelectorAll<HTMLElement>("[data-testid=attachment-chip]")];
    expect(chips.map((el) => el.querySelector(".chip-tokens")!.textContent)).toEqual(["300 tok", "500 tok", "100 tok"]);
    expect(chips.map((el) => el.classList.contains("over-budget"))).toEqual([false, true, true]);
    composer.update(state([chip("A", 300)], null));
    expect(composer.element.querySelector(".over-budget")).toBeNull();
    composer.element.querySelector<HTMLElement>(".chip-remove")!.click();
    expect(posted).toEqual([{ type: "removeAttachment", index: 0 }]);
  });

  it("/ lists the actions, narrowed by what is typed; one without an instruction runs at once", () => {
    const composer = new Composer(() => undefined);
    composer.update(state([], null));
    type(composer, "/");
    expect(testIds(composer.element, "[data-testid=slash-menu] .mention-item")).toEqual(["slash-withInstruction", "slash-simplify", "slash-custom.tidy-up"]);
    type(composer, "tidy");
    expect(testIds(composer.element, "[data-testid=slash-menu] .mention-item")).toEqual(["slash-custom.tidy-up"]);
    composer.element.querySelector<HTMLElement>("[data-testid='slash-custom.tidy-up']")!.click();
    expect(posted).toEqual([{ type: "runAction", actionId: "custom.tidy-up" }]);
    expect(composer.input.value).toBe("");
  });

  it("an action that takes an instruction runs with the text typed after it; other / text is sent as a message", () => {
    const composer = new Composer(() => undefined);
    composer.update(state([], null));
    type(composer, "/with");
    composer.element.querySelector<HTMLElement>("[data-testid=slash-withInstruction]")!.click();
    expect(posted).toEqual([]);
    expect(composer.input.value).toBe("/withInstruction ");
    type(composer, "use async/await");
    composer.input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    expect(posted).toEqual([{ type: "runAction", actionId: "withInstruction", instruction: "use async/await" }]);
    composer.input.value = "/usr/bin is where?";
    composer.input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    expect(posted.at(-1)).toEqual({ type: "send", text: "/usr/bin is where?" });
  });
});
