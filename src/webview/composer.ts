// The input: Enter sends, Shift+Enter adds a line, Escape stops, `@` opens the menu of what can be
// attached (a file, @problems, @changes). Each pending attachment is a chip with its token estimate,
// marked when the chips together pass what the next message may take.
import type { Attachment } from "../core/chat/conversation.js";
import { chatContextMentions } from "../protocol/chatContext.js";
import { maxMessageChars } from "../protocol/chatLimits.js";
import type { ChatViewState, SlashCommand } from "../protocol/webview.js";
import { button, h } from "./dom.js";
import { post } from "./messenger.js";

export class Composer {
  readonly element: HTMLElement;
  readonly input = h("textarea", {
    class: "input",
    attrs: { rows: "3", placeholder: "Ask about your code (@ to attach context, / to run a refactor)", "aria-label": "Message", "data-testid": "chat-input" },
  });
  private readonly chips = h("div", { class: "chips pending" });
  private readonly mentionMenu = h(
    "div",
    { class: "mention-menu", attrs: { role: "menu", "data-testid": "mention-menu" } },
    mentionItem("@file", "A workspace file", () => post({ type: "pickFile" })),
    ...chatContextMentions.map((mention) => mentionItem(mention.mention, mention.description, () => post({ type: "attachContext", kind: mention.kind }))),
  );
  private readonly sendButton = button("Send", () => this.send(), { class: "primary", testId: "send" });
  private readonly stopButton = button("Stop", () => post({ type: "stop" }), { class: "danger", title: "Stop (Escape)", testId: "stop" });
  private readonly slashMenu = h("div", { class: "mention-menu", attrs: { role: "menu", "data-testid": "slash-menu" } });
  private slashCommands: SlashCommand[] = [];
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
        this.toggleMentions(true);
      }
      this.showSlashCommands();
      this.onDraft(this.input.value);
    });
    this.mentionMenu.hidden = true;
    this.slashMenu.hidden = true;
    this.mentionMenu.addEventListener("click", () => this.toggleMentions(false));
    this.mentionMenu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        this.toggleMentions(false);
        this.input.focus();
      }
    });
    const actions = h(
      "div",
      { class: "composer-actions" },
      button("+ Selection", () => post({ type: "attachSelection" }), { title: "Attach the editor's selection", testId: "attach-selection" }),
      button("+ File", () => post({ type: "attachFile" }), { title: "Attach the current file", testId: "attach-file" }),
      button("@", () => this.toggleMentions(this.mentionMenu.hidden), { title: "Attach a file, the problems or the git changes", testId: "mention" }),
      h("span", { class: "spacer" }),
      this.stopButton,
      this.sendButton,
    );
    this.element = h("div", { class: "composer" }, this.chips, this.mentionMenu, this.slashMenu, this.input, actions);
  }

  private toggleMentions(open: boolean): void {
    this.mentionMenu.hidden = !open;
    if (open) (this.mentionMenu.firstElementChild as HTMLElement | null)?.focus();
  }

  /** While the input is `/word` (no instruction typed yet): the actions whose id or title match it. */
  private showSlashCommands(): void {
    const typed = /^\/(\S*)$/.exec(this.input.value)?.[1]?.toLowerCase();
    const matching = typed === undefined ? [] : this.slashCommands.filter((command) => command.id.toLowerCase().includes(typed) || command.title.toLowerCase().includes(typed));
    this.slashMenu.hidden = !matching.length;
    this.slashMenu.replaceChildren(...matching.map((command) => slashItem(command, () => this.chooseSlashCommand(command))));
  }

  /** An action that takes an instruction waits for it (`/withInstruction ` then Enter); others run now. */
  private chooseSlashCommand(command: SlashCommand): void {
    this.slashMenu.hidden = true;
    if (command.takesInstruction) {
      this.setDraft(`/${command.id} `);
      this.onDraft(this.input.value);
      this.input.focus();
      return;
    }
    this.runSlashCommand(command, undefined);
  }

  private runSlashCommand(command: SlashCommand, instruction: string | undefined): void {
    post({ type: "runAction", actionId: command.id, ...(instruction ? { instruction } : {}) });
    this.input.value = "";
    this.onDraft("");
  }

  private send(): void {
    if (this.busy) return;
    const text = this.input.value;
    const slash = /^\/(\S+)\s*([\s\S]*)$/.exec(text);
    const command = slash && this.slashCommands.find((candidate) => candidate.id === slash[1]);
    if (command) return this.runSlashCommand(command, slash![2]!.trim() || undefined);
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
    this.slashCommands = state.slashCommands ?? [];
    this.sendButton.hidden = this.busy;
    this.stopButton.hidden = !this.busy;
    let total = 0;
    this.chips.replaceChildren(
      ...state.pending.map((attachment, index) => {
        total += attachment.tokens ?? 0;
        return attachmentChip(attachment, index, state.attachmentBudget != null && total > state.attachmentBudget ? state.attachmentBudget : undefined);
      }),
    );
  }
}

function slashItem(command: SlashCommand, choose: () => void): HTMLButtonElement {
  return mentionItem(`/${command.id}`, command.title, choose, `slash-${command.id}`);
}

function mentionItem(label: string, description: string, choose: () => void, testId = `mention-${label.slice(1)}`): HTMLButtonElement {
  const item = button(label, choose, { class: "mention-item", title: description, testId });
  item.setAttribute("role", "menuitem");
  item.append(h("span", { class: "mention-description", text: description }));
  return item;
}

/** A pending attachment's chip: its label and token estimate; `overBudget` (the budget) marks it. */
function attachmentChip(attachment: Attachment, index: number, overBudget: number | undefined): HTMLElement {
  const tokens = attachment.tokens ?? 0;
  const title = overBudget === undefined ? `${attachment.path || attachment.label}: about ${tokens} tokens` : `Over the context budget: the attachments up to here take more than the ${overBudget} tokens the next message may use. Remove some.`;
  return h(
    "span",
    { class: overBudget === undefined ? "chip" : "chip over-budget", title, attrs: { "data-testid": "attachment-chip", "data-kind": attachment.kind } },
    attachment.label,
    h("span", { class: "chip-tokens", text: `${tokens.toLocaleString("en-US")} tok` }),
    button("×", () => post({ type: "removeAttachment", index }), { class: "chip-remove", title: "Remove" }),
  );
}
