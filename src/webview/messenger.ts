// The page's side of the typed protocol, and its persisted state (getState/setState survives the
// view being hidden and the window reloading).
import type { HostMessage, PageMessage, PageState } from "../protocol/webview.js";

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: PageMessage): void {
  api.postMessage(message);
}

export function onHostMessage(handler: (message: HostMessage) => void): void {
  window.addEventListener("message", (event: MessageEvent<HostMessage>) => {
    if (event.data && typeof event.data === "object" && "type" in event.data) handler(event.data);
  });
}

const emptyState: PageState = { draft: "", historyOpen: false, scrollTop: 0, last: null };

export function loadPageState(): PageState {
  const saved = api.getState() as Partial<PageState> | undefined;
  return { ...emptyState, ...(saved ?? {}) };
}

export function savePageState(state: PageState): void {
  api.setState(state);
}
