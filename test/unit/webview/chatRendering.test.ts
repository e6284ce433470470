// @vitest-environment jsdom
// The chat page's rendering path (issue 24): an answer reaches the DOM only through both layers —
// markdown-it, then the sanitizer — whether rendered whole or streamed; and a link in an answer
// never navigates the page, it is handed to the host (whose filter chatHost.test.ts covers).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatEntry } from "../../../src/core/chat/conversation.js";
import type { ChatViewState } from "../../../src/protocol/webview.js";

const posted = vi.hoisted(() => {
  const messages: unknown[] = [];
  (globalThis as Record<string, unknown>).acquireVsCodeApi = () => ({ postMessage: (m: unknown) => messages.push(m), getState: () => undefined, setState: () => undefined });
  return messages;
});

const { Transcript } = await import("../../../src/webview/transcript.js");
const { renderMarkdown } = await import("../../../src/core/chat/markdown.js");

beforeEach(() => void posted.splice(0));

function stateWith(answer: ChatEntry, streaming = false): ChatViewState {
  return {
    conversation: { id: "c1", title: "Chat", createdAt: 0, updatedAt: 0, entries: [{ id: "u1", role: "user", content: "Show me" }, answer] },
    history: [],
    pending: [],
    streamingEntryId: streaming ? answer.id : null,
    modelLabel: "DeepSeek",
    location: "Runs on this machine; nothing leaves it.",
  };
}

/** markdown-it aligns table columns with inline `style` attributes, which the sanitizer's allow-list drops. */
const alignedTable = "| name | size |\n|:--|--:|\n| a.ts | 12 |\n";

function answerBody(transcript: InstanceType<typeof Transcript>): HTMLElement {
  return transcript.element.querySelector<HTMLElement>('[data-testid="answer"]')!;
}

describe("the transcript renders answers through the sanitizer", () => {
  it("the first layer alone would let style attributes through (the control case)", () => {
    expect(renderMarkdown(alignedTable)).toContain('style="text-align:right"');
  });

  it("a rendered answer keeps the table and loses the attributes outside the allow-list", () => {
    const transcript = new Transcript();
    transcript.render(stateWith({ id: "a1", role: "assistant", content: alignedTable }));
    const body = answerBody(transcript);
    expect(body.querySelectorAll("td")).toHaveLength(2);
    expect(body.querySelector("[style]")).toBeNull();
  });

  it("a streamed answer is sanitized too", () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (callback: FrameRequestCallback) => frames.push(callback));
    try {
      const transcript = new Transcript();
      transcript.render(stateWith({ id: "a1", role: "assistant", content: "" }, true));
      transcript.append("a1", alignedTable);
      for (const frame of frames.splice(0)) frame(0);
      const body = answerBody(transcript);
      expect(body.querySelectorAll("td")).toHaveLength(2);
      expect(body.querySelector("[style]")).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("shows raw HTML and scripting links in an answer as text", () => {
    const transcript = new Transcript();
    transcript.render(stateWith({ id: "a1", role: "assistant", content: '<img src=x onerror="alert(1)"> [run](javascript:alert(1)) [file](file:///etc/passwd) [cmd](command:workbench.action.terminal.new)' }));
    const body = answerBody(transcript);
    expect(body.querySelector("img, script, [onerror]")).toBeNull();
    expect(body.querySelector("a")).toBeNull();
    expect(body.textContent).toContain('<img src=x onerror="alert(1)">');
  });
});

describe("links in an answer", () => {
  it("do not navigate the page: a click is handed to the host as openLink", () => {
    const transcript = new Transcript();
    document.body.append(transcript.element);
    transcript.render(stateWith({ id: "a1", role: "assistant", content: "See [the docs](https://example.com/docs)." }));
    const link = answerBody(transcript).querySelector("a")!;
    const click = new MouseEvent("click", { bubbles: true, cancelable: true });
    link.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    expect(posted).toEqual([{ type: "openLink", href: "https://example.com/docs" }]);
    transcript.element.remove();
  });
});

describe("a reasoning model's thinking (issue 20, goal 2)", () => {
  it("streams into a collapsed Reasoning part above the answer, as plain text", () => {
    const transcript = new Transcript();
    transcript.render(stateWith({ id: "a1", role: "assistant", content: "" }, true));
    expect(transcript.element.querySelector('[data-testid="reasoning"]')).toBeNull();
    transcript.appendReasoning("a1", "The user <b>greets</b>");
    transcript.appendReasoning("a1", " me.");
    const part = transcript.element.querySelector<HTMLDetailsElement>('[data-testid="reasoning"]')!;
    expect(part.open).toBe(false);
    expect(part.querySelector("summary")!.textContent).toBe("Reasoning…");
    expect(part.querySelector(".reasoning-text")!.textContent).toBe("The user <b>greets</b> me.");
    expect(part.querySelector("b")).toBeNull();
    // It sits before the answer, and is not part of it.
    expect(part.compareDocumentPosition(answerBody(transcript)) & Node.DOCUMENT_POSITION_FOLLOWING).toBe(Node.DOCUMENT_POSITION_FOLLOWING);
    expect(answerBody(transcript).textContent).toBe("");
  });

  it("a finished answer keeps it collapsed, and its metrics show the server's cache figures", () => {
    const transcript = new Transcript();
    const metrics = { promptTokens: 76, reusedTokens: 64, evaluatedTokens: 12, generatedTokens: 4, firstTokenMs: null, serverCache: { hitTokens: 64, missTokens: 12 } };
    transcript.render(stateWith({ id: "a1", role: "assistant", content: "Hello.", reasoning: "Thinking.", stopReason: "eos", metrics }));
    const part = transcript.element.querySelector<HTMLDetailsElement>('[data-testid="reasoning"]')!;
    expect([part.open, part.querySelector("summary")!.textContent]).toEqual([false, "Reasoning"]);
    expect(transcript.element.querySelector('[data-testid="metrics"]')!.textContent).toBe("4 tokens · prompt 76 (cache hit 64, miss 12)");
  });
});
