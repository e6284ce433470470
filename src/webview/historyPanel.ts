// Saved conversations: open, rename, delete, export.
import type { ChatViewState } from "../protocol/webview.js";
import { button, h } from "./dom.js";
import { post } from "./messenger.js";

export class HistoryPanel {
  readonly element = h("div", { class: "history", attrs: { "data-testid": "history" } });

  update(state: ChatViewState): void {
    if (!state.history.length) {
      this.element.replaceChildren(h("div", { class: "empty", text: "No saved chats yet." }));
      return;
    }
    this.element.replaceChildren(
      ...state.history.map((summary) => {
        const current = summary.id === state.conversation.id;
        const open = h("button", {
          class: `history-title${current ? " current" : ""}`,
          text: summary.title,
          title: `${summary.title} — ${new Date(summary.updatedAt).toLocaleString()}`,
          attrs: { type: "button", "data-testid": "history-item" },
          on: { click: () => post({ type: "open", conversationId: summary.id }) },
        });
        return h(
          "div",
          { class: "history-row" },
          open,
          button("Rename", () => post({ type: "rename", conversationId: summary.id }), { class: "link" }),
          button("Export", () => post({ type: "export", conversationId: summary.id }), { class: "link" }),
          button("Delete", () => post({ type: "delete", conversationId: summary.id }), { class: "link" }),
        );
      }),
    );
  }
}
