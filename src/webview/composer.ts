// The input: Enter sends, Shift+Enter adds a line, Escape stops, `@` opens the file picker.
import { maxMessageChars } from "../protocol/chatLimits.js";
import type { ChatViewState } from "../protocol/webview.js";
import { button, h } from "./dom.js";
import { post } from "./messenger.js";

export class Composer {
  readonly element: HTMLElement;
  readonly input = h("textarea", {
    class: "input",
    attrs: { rows: "3", placeholder: "Ask about your code (@ to attach a file)", "aria-label": "Message", "data-testid": "chat-input" },
  });
  private readonly chips = h("div", { class: "chips pending" });
  private readonly sendButton = button("Send", () => this.send(), { class: "primary", testId: "send" });
  private readonly stopButton = button("Stop", () => post({ type: "stop" }), { class: "danger", title: "Stop (Escape)", testId: "stop" });
  private busy = false;

  constructor(
    private readonly onDraft: (draft: string) => void,
    private readonly onError: (message: string) => void = () => undefined,
  ) {
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener("input", (event) => {
      const typed = (event as InputEvent).data;
      const at = this.input.selectionStart;
      if (typed === "@" && (at === 1 || /\s/.test(this.input.value[at - 2] ?? " "))) {
        // The mention becomes an attachment chip; the "@" itself is not part of the question.
        this.input.value = this.input.value.slice(0, at - 1) + this.input.value.slice(at);
        this.input.setSelectionRange(at - 1, at - 1);
        post({ type: "pickFile" });
      }
      this.onDraft(this.input.value);
    });
    const actions = h(
      "div",
      { class: "composer-actions" },
      button("+ Selection", () => post({ type: "attachSelection" }), { title: "Attach the editor's selection", testId: "attach-selection" }),
      button("+ File", () => post({ type: "attachFile" }), { title: "Attach the current file", testId: "attach-file" }),
      button("@", () => post({ type: "pickFile" }), { title: "Attach a workspace file" }),
      h("span", { class: "spacer" }),
      this.stopButton,
      this.sendButton,
    );
    this.element = h("div", { class: "composer" }, this.chips, this.input, actions);
  }

  private send(): void {
    if (this.busy) return;
    const text = this.input.value;
    if (!text.trim() && !this.chips.childElementCount) return;
    // The host refuses a longer message: keep the draft and say why, instead of losing it.
    if (text.length > maxMessageChars) {
      this.onError(
        `This message has ${text.length.toLocaleString("en-US")} characters; the chat sends at most ${maxMessageChars.toLocaleString("en-US")}. ` +
          "Your draft is kept: shorten it, or attach the code with + Selection or + File.",
      );
      return;
    }
    post({ type: "send", text });
    this.input.value = "";
    this.onDraft("");
  }

  setDraft(draft: string): void {
    this.input.value = draft;
  }

  focus(): void {
    this.input.focus();
  }

  update(state: ChatViewState): void {
    this.busy = !!state.streamingEntryId;
    this.sendButton.hidden = this.busy;
    this.stopButton.hidden = !this.busy;
    this.chips.replaceChildren(
      ...state.pending.map((attachment, index) =>
        h("span", { class: "chip", title: attachment.path }, attachment.label, button("×", () => post({ type: "removeAttachment", index }), { class: "chip-remove", title: "Remove" })),
      ),
    );
  }
}
