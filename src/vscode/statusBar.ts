// The status bar item: engine state at a glance, the error when there is one.
import * as vscode from "vscode";
import type { EngineState } from "../supervisor/engineSupervisor.js";
import { placementLine } from "../core/models/hardwareDescription.js";

export const statusBarItemId = "deepseekLocal.status";

/** Ghost text is off: a few words for the item (none where the engine state already says it) and tooltip lines. */
export interface CompletionNote {
  short?: string;
  lines: string[];
}

export class EngineStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(statusBarItemId, vscode.StatusBarAlignment.Right, 100);
  private detail: string | undefined;
  private completionNote: CompletionNote | undefined;
  private state: EngineState = { kind: "stopped" };

  constructor() {
    this.item.name = "DeepSeek Local";
    this.item.command = "deepseekLocal.showStatusMenu";
    this.render();
    this.item.show();
  }

  setState(state: EngineState): void {
    this.state = state;
    this.render();
  }

  /** A short feature line (e.g. last completion latency) shown after the state. */
  setDetail(detail: string | undefined): void {
    this.detail = detail;
    this.render();
  }

  /** Why ghost text is off, or undefined when it is on. */
  setCompletionNote(note: CompletionNote | undefined): void {
    this.completionNote = note;
    this.render();
  }

  private render(): void {
    const { text, tooltip, error } = describe(this.state);
    const note = this.completionNote;
    const shown = note?.short ? `$(circle-slash) ${note.short}` : this.state.kind === "ready" ? this.detail : undefined;
    this.item.text = shown ? `${text} · ${shown}` : text;
    const lastCompletion = this.detail ? [`Last completion: ${this.detail.replace(/\$\([^)]*\)\s*/g, "")}`] : [];
    this.item.tooltip = [tooltip, ...lastCompletion, ...(note?.lines ?? []), "Click for the DeepSeek Local menu."].join("\n");
    this.item.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function describe(state: EngineState): { text: string; tooltip: string; error: boolean } {
  switch (state.kind) {
    case "stopped":
      return { text: "$(circle-outline) DeepSeek", tooltip: "DeepSeek Local: engine not started", error: false };
    case "starting":
      return { text: "$(loading~spin) DeepSeek: loading", tooltip: "DeepSeek Local: loading the model", error: false };
    case "ready": {
      const model = state.model;
      const where = placementLine(model);
      const cpu = model.cpuBackend?.variant ? `\nCPU kernels: ${model.cpuBackend.variant}${model.cpuBackend.build === "localBuild" ? " (rebuilt)" : ""}` : "";
      const fallback = [model.gpuFallback, model.gpuUnavailable].map((warning) => (warning ? `\n⚠ ${warning}` : "")).join("");
      const demo = model.synthetic ? " (demo: random weights)" : "";
      const engine = state.shared ? `\nOne engine for all your windows (pid ${state.pid})` : `\nThis window's engine (pid ${state.pid})`;
      return {
        text: `$(check) DeepSeek${model.synthetic ? " demo" : ""}`,
        tooltip: `DeepSeek Local: ready${demo}\n${model.name ?? model.path}\n${where}, context ${model.contextSize} tokens, loaded in ${model.loadMs} ms${cpu}${fallback}${engine}`,
        error: false,
      };
    }
    case "loadFailed":
      return { text: "$(error) DeepSeek: no model", tooltip: state.error.message, error: true };
    case "restarting":
      return { text: "$(sync~spin) DeepSeek: restarting", tooltip: `DeepSeek Local: ${state.reason}; restarting`, error: false };
    case "failed":
      return { text: "$(error) DeepSeek: stopped", tooltip: state.message, error: true };
  }
}
