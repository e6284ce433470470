// @vitest-environment jsdom
// The chat page's composer and welcome text in a DOM (issue 19, items 7 and 12).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatViewState } from "../../../src/protocol/webview.js";

const posted = vi.hoisted(() => {
  const messages: unknown[] = [];
  (globalThis as Record<string, unknown>).acquireVsCodeApi = () => ({ postMessage: (m: unknown) => messages.push(m), getState: () => undefined, setState: () => undefined });
  return messages;
});

const { Composer } = await import("../../../src/webview/composer.js");
const { Transcript } = await import("../../../src/webview/transcript.js");

beforeEach(() => void posted.splice(0));

function pressEnter(input: HTMLTextAreaElement): void {
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
}

describe("composer", () => {
  it("sends a message and clears the draft (the control case)", () => {
    const drafts: string[] = [];
    const composer = new Composer((draft) => drafts.push(draft), () => undefined);
    composer.input.value = "hello";
    pressEnter(composer.input);
    expect(posted).toEqual([{ type: "send", text: "hello" }]);
    expect(composer.input.value).toBe("");
  });

  it("keeps a message over 200,000 characters and says why, instead of dropping it", () => {
    const errors: string[] = [];
    const composer = new Composer(() => undefined, (message) => errors.push(message));
    const long = "x".repeat(200_001);
    composer.input.value = long;
    pressEnter(composer.input);
    expect(posted).toEqual([]);
    expect(composer.input.value).toBe(long);
    expect(errors).toEqual([expect.stringMatching(/200,001 characters; the chat sends at most 200,000/)]);
  });
});

describe("welcome text", () => {
  const state = (location: string): ChatViewState => ({
    conversation: { id: "c1", title: "New chat", createdAt: 0, updatedAt: 0, entries: [] },
    history: [],
    pending: [],
    streamingEntryId: null,
    modelLabel: "DeepSeek",
    location,
  });

  it("says where the chat runs", () => {
    const transcript = new Transcript();
    transcript.render(state("Runs on the server gpu.example.com: your messages, attached files and what the tools read are sent there."));
    expect(transcript.element.textContent).toContain("gpu.example.com");
    expect(transcript.element.textContent).not.toMatch(/nothing leaves/);
    transcript.render(state("Runs on this machine; nothing leaves it."));
    expect(transcript.element.textContent).toContain("nothing leaves it");
  });
});
