// The conversation as the user sees it. Answers are markdown from an untrusted model: they go
// through renderSafeMarkdown (markdown-it without HTML, then DOMPurify) and nothing else reaches
// innerHTML. Streaming re-renders only the growing answer, once per animation frame.
import DOMPurify from "dompurify";
import type { ChatEntry } from "../core/chat/conversation.js";
import { renderSafeMarkdown } from "../core/chat/markdown.js";
import type { ChatViewState } from "../protocol/webview.js";
import { button, h } from "./dom.js";
import { post } from "./messenger.js";

const stopReasonNotes: Record<string, string> = {
  maxTokens: "The answer reached the token limit.",
  aborted: "Stopped.",
  timeout: "The answer took too long and was cut off.",
  error: "The answer was interrupted by an error.",
};

export class Transcript {
  readonly element = h("div", { class: "transcript", attrs: { role: "log", "aria-live": "polite", "data-testid": "transcript" } });
  private state: ChatViewState | null = null;
  private readonly bodies = new Map<string, HTMLElement>();
  /** The reasoning text elements of assistant entries (a reasoning model's thinking). */
  private readonly reasonings = new Map<string, HTMLElement>();
  private dirty = new Set<string>();
  private frame = 0;
  private editing: string | null = null;

  constructor() {
    // Links never navigate the webview: the host opens allowed ones outside.
    this.element.addEventListener("click", (event) => {
      const link = (event.target as HTMLElement).closest("a");
      if (!link) return;
      event.preventDefault();
      const href = link.getAttribute("href");
      if (href) post({ type: "openLink", href });
    });
  }

  render(state: ChatViewState): void {
    const stick = this.nearBottom();
    this.state = state;
    this.bodies.clear();
    this.reasonings.clear();
    const entries = state.conversation.entries;
    if (!entries.length) {
      this.element.replaceChildren(this.welcome(state));
      return;
    }
    const lastAssistant = [...entries].reverse().find((entry) => entry.role === "assistant");
    this.element.replaceChildren(...entries.map((entry) => this.entry(entry, entry === lastAssistant)));
    if (stick) this.scrollToBottom();
  }

  /** A chunk of the streaming answer. */
  append(entryId: string, text: string): void {
    const entry = this.state?.conversation.entries.find((e) => e.id === entryId);
    if (!entry) return;
    entry.content += text;
    this.dirty.add(entryId);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** A chunk of the streaming answer's reasoning: plain text, in a part that stays collapsed. */
  appendReasoning(entryId: string, text: string): void {
    const entry = this.state?.conversation.entries.find((e) => e.id === entryId);
    if (!entry) return;
    const first = entry.reasoning === undefined;
    entry.reasoning = (entry.reasoning ?? "") + text;
    if (first && this.state) this.render(this.state);
    else this.reasonings.get(entryId)?.replaceChildren(entry.reasoning);
  }

  replace(updated: ChatEntry): void {
    if (!this.state) return;
    const entries = this.state.conversation.entries;
    const index = entries.findIndex((e) => e.id === updated.id);
    if (index >= 0) entries[index] = updated;
    else entries.push(updated);
    this.render(this.state);
  }

  private flush(): void {
    this.frame = 0;
    const stick = this.nearBottom();
    for (const id of this.dirty) {
      const entry = this.state?.conversation.entries.find((e) => e.id === id);
      const body = this.bodies.get(id);
      if (entry && body) this.fillMarkdown(body, entry.content);
    }
    this.dirty.clear();
    if (stick) this.scrollToBottom();
  }

  private nearBottom(): boolean {
    const el = this.element;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }

  scrollToBottom(): void {
    this.element.scrollTop = this.element.scrollHeight;
  }

  private welcome(state: ChatViewState): HTMLElement {
    return h(
      "div",
      { class: "welcome" },
      h("h2", { text: "Ask DeepSeek about your code" }),
      // Where the chat runs comes from the host: "nothing leaves this machine" only when it is true.
      h("p", { text: `Model: ${state.modelLabel}. ${state.location ?? ""}`.trim(), attrs: { "data-testid": "chat-location" } }),
      h("ul", {}, h("li", { text: "Enter sends, Shift+Enter adds a line, Escape stops." }), h("li", { text: "Type @ to attach a workspace file, the problems, the git changes, a folder, a symbol or the terminal's output; use the buttons to attach the selection or the current file. Type / to run a refactor on the selection." }), h("li", { text: "Code blocks can be copied, inserted at the cursor, or applied as a diff you review." })),
    );
  }

  private entry(entry: ChatEntry, isLastAssistant: boolean): HTMLElement {
    const streaming = this.state?.streamingEntryId === entry.id;
    const element = h("div", { class: `entry ${entry.role}${streaming ? " streaming" : ""}`, attrs: { "data-entry-id": entry.id, "data-role": entry.role } });
    if (entry.role === "notice") {
      element.append(h("div", { class: "notice-text", text: entry.content }));
      return element;
    }
    if (entry.role === "tool") {
      const details = h("details", { attrs: { "data-testid": "tool-result", "data-tool": entry.toolName ?? "" } }, h("summary", { text: `${entry.toolOk ? "Result" : "Failed"}: ${entry.toolName ?? "tool"}` }), h("pre", { class: "tool-output", text: entry.content }));
      // What happened to the user's files, or a command's outcome, is shown, not folded away.
      if (entry.toolName === "propose_edits" || entry.toolName === "run_command") (details as HTMLDetailsElement).open = true;
      element.append(details);
      return element;
    }
    element.append(h("div", { class: "role", text: entry.role === "user" ? "You" : "DeepSeek" }));
    if (entry.role === "user") {
      if (entry.attachments?.length) element.append(h("div", { class: "chips" }, ...entry.attachments.map((a) => h("span", { class: "chip", text: a.label, title: a.path }))));
      element.append(h("div", { class: "user-text", text: entry.content }));
      return element;
    }
    for (const call of entry.toolCalls ?? []) {
      element.append(h("div", { class: "tool-call", attrs: { "data-testid": "tool-call" } }, h("span", { class: "tool-name", text: `⚙ ${call.name}` }), h("code", { text: toolCallText(call) })));
    }
    if (this.editing === entry.id && !streaming) {
      element.append(this.prefixEditor(entry));
      return element;
    }
    if (entry.reasoning) element.append(this.reasoningPart(entry, streaming));
    const body = h("div", { class: "markdown", attrs: { "data-testid": "answer" } });
    this.bodies.set(entry.id, body);
    this.fillMarkdown(body, entry.content);
    element.append(body);
    if (!streaming) element.append(this.footer(entry, isLastAssistant));
    return element;
  }

  /** Collapsed unless the user opens it: the thinking is there to inspect, not to read first. */
  private reasoningPart(entry: ChatEntry, streaming: boolean): HTMLElement {
    const text = h("div", { class: "reasoning-text", text: entry.reasoning ?? "" });
    this.reasonings.set(entry.id, text);
    const label = streaming && !entry.content ? "Reasoning…" : "Reasoning";
    return h("details", { class: "reasoning", attrs: { "data-testid": "reasoning" } }, h("summary", { text: label }), text);
  }

  private footer(entry: ChatEntry, isLast: boolean): HTMLElement {
    const footer = h("div", { class: "entry-footer" });
    const note = entry.stopReason ? stopReasonNotes[entry.stopReason] : undefined;
    if (note) footer.append(h("span", { class: "stop-note", text: note }));
    const m = entry.metrics;
    if (m) {
      const first = m.firstTokenMs === null ? "" : ` · first token ${Math.round(m.firstTokenMs)} ms`;
      const prompt = m.serverCache ? `(cache hit ${m.serverCache.hitTokens}, miss ${m.serverCache.missTokens})` : `(${m.reusedTokens} reused)`;
      footer.append(h("span", { class: "metrics", text: `${m.generatedTokens} tokens · prompt ${m.promptTokens} ${prompt}${first}`, attrs: { "data-testid": "metrics" } }));
    }
    if (isLast && !this.state?.streamingEntryId && (entry.content || entry.stopReason)) {
      if (entry.stopReason && entry.stopReason !== "eos" && entry.stopReason !== "stopString") {
        footer.append(button("Continue", () => post({ type: "continue", entryId: entry.id }), { class: "link", testId: "continue", title: "Continue this answer from where it stopped" }));
      }
      footer.append(
        button("Edit start", () => {
          this.editing = entry.id;
          if (this.state) this.render(this.state);
        }, { class: "link", title: "Rewrite the start of the answer and let the model continue from it" }),
      );
    }
    return footer;
  }

  private prefixEditor(entry: ChatEntry): HTMLElement {
    const input = h("textarea", { class: "prefix-editor", attrs: { rows: "6", "aria-label": "Start of the answer" } });
    input.value = entry.content;
    const done = () => {
      this.editing = null;
      if (this.state) this.render(this.state);
    };
    queueMicrotask(() => input.focus());
    return h(
      "div",
      { class: "prefix-edit" },
      input,
      h(
        "div",
        { class: "row" },
        button("Continue from here", () => {
          this.editing = null;
          post({ type: "continue", entryId: entry.id, prefix: input.value });
        }, { class: "primary" }),
        button("Cancel", done),
      ),
    );
  }

  private fillMarkdown(body: HTMLElement, markdown: string): void {
    body.innerHTML = renderSafeMarkdown(markdown, DOMPurify);
    for (const code of body.querySelectorAll("pre > code")) {
      const language = [...code.classList].find((c) => c.startsWith("language-"))?.slice("language-".length) ?? "";
      const text = code.textContent ?? "";
      const send = (action: "copy" | "insert" | "apply") => () => post({ type: "code", action, code: text, language });
      const bar = h(
        "div",
        { class: "code-actions" },
        h("span", { class: "code-language", text: language }),
        button("Copy", send("copy"), { testId: "code-copy" }),
        button("Insert", send("insert"), { title: "Insert at the cursor", testId: "code-insert" }),
        button("Apply…", send("apply"), { title: "Apply to the current file (or its selection) after reviewing a diff", testId: "code-apply" }),
      );
      code.parentElement!.before(bar);
    }
  }
}

/** A change set is told by its summary (the diff is in the Refactor Preview); other calls by their arguments. */
function toolCallText(call: { name: string; arguments: string }): string {
  if (call.name !== "propose_edits") return call.arguments;
  try {
    const proposal = JSON.parse(call.arguments) as { summary?: unknown; changes?: unknown[] };
    const count = Array.isArray(proposal.changes) ? proposal.changes.length : 0;
    return `${String(proposal.summary ?? "")} — ${count} change${count === 1 ? "" : "s"}, shown in the Refactor Preview to review`;
  } catch {
    return call.arguments;
  }
}
