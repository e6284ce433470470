// The chat page: draws what the host sends, sends what the user does. The host holds the truth;
// the page keeps its draft, scroll position and last state with setState so that a hidden and
// re-shown view (or a reloaded window) comes back as it was, and then asks the host for the
// current state (`ready`).
import type { ChatViewState, HostMessage, PageState } from "../protocol/webview.js";
import { Composer } from "./composer.js";
import { button, h } from "./dom.js";
import { HistoryPanel } from "./historyPanel.js";
import { loadPageState, onHostMessage, post, savePageState } from "./messenger.js";
import { Transcript } from "./transcript.js";

const pageState: PageState = loadPageState();
const save = () => savePageState(pageState);

const transcript = new Transcript();
const history = new HistoryPanel();
const composer = new Composer(
  (draft) => {
    pageState.draft = draft;
    save();
  },
  (message) => showError(message),
);
const title = h("span", { class: "title", attrs: { "data-testid": "chat-title" } });
const errorBar = h("div", { class: "error", attrs: { role: "alert", "data-testid": "chat-error" } });
errorBar.hidden = true;

const historyToggle = button("History", () => {
  pageState.historyOpen = !pageState.historyOpen;
  applyHistoryOpen();
  save();
}, { testId: "history-toggle" });

function applyHistoryOpen(): void {
  history.element.hidden = !pageState.historyOpen;
  historyToggle.setAttribute("aria-pressed", String(pageState.historyOpen));
}

const header = h("div", { class: "header" }, title, h("span", { class: "spacer" }), historyToggle, button("New", () => post({ type: "newChat" }), { title: "Start a new chat", testId: "new-chat" }));
document.getElementById("app")!.append(header, history.element, errorBar, transcript.element, composer.element);

function draw(state: ChatViewState): void {
  pageState.last = state;
  title.textContent = state.conversation.title;
  transcript.render(state);
  history.update(state);
  composer.update(state);
  save();
}

function showError(message: string): void {
  errorBar.textContent = message;
  errorBar.hidden = false;
}

errorBar.addEventListener("click", () => (errorBar.hidden = true));

onHostMessage((message: HostMessage) => {
  switch (message.type) {
    case "state":
      if (message.state.streamingEntryId) errorBar.hidden = true;
      draw(message.state);
      break;
    case "chunk":
      transcript.append(message.entryId, message.text);
      break;
    case "reasoning":
      transcript.appendReasoning(message.entryId, message.text);
      break;
    case "entry":
      transcript.replace(message.entry);
      break;
    case "error":
      showError(message.message);
      break;
    case "focusInput":
      composer.focus();
      break;
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && pageState.last?.streamingEntryId) {
    event.preventDefault();
    post({ type: "stop" });
  }
});

let scrollSave = 0;
transcript.element.addEventListener("scroll", () => {
  clearTimeout(scrollSave);
  scrollSave = window.setTimeout(() => {
    pageState.scrollTop = transcript.element.scrollTop;
    save();
  }, 200);
});

// Draw what we had at once, then ask the host for the truth.
applyHistoryOpen();
composer.setDraft(pageState.draft);
if (pageState.last) {
  draw(pageState.last);
  transcript.element.scrollTop = pageState.scrollTop;
}
post({ type: "ready" });
composer.focus();
