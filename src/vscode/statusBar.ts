// The status bar item: engine state at a glance, the error when there is one.
import * as vscode from "vscode";
import type { EngineState } from "../supervisor/engineSupervisor.js";

export const statusBarItemId = "deepseekLocal.status";

export class EngineStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(statusBarItemId, vscode.StatusBarAlignment.Right, 100);
  private detail: string | undefined;
  private state: EngineState = { kind: "stopped" };

  constructor() {
    this.item.name = "DeepSeek Local";
    this.item.command = "deepseekLocal.showLog";
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

  private render(): void {
    const { text, tooltip, error } = describe(this.state);
    this.item.text = this.detail && this.state.kind === "ready" ? `${text} · ${this.detail}` : text;
    this.item.tooltip = tooltip;
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
      // llama.cpp counts the output layer as one more offloadable layer than the blocks.
      const layers = model.totalLayers === null ? "?" : model.totalLayers + 1;
      const where = model.gpu ? `${model.gpu} backend, ${model.gpuLayers} of ${layers} layers on the GPU` : "CPU only";
      const cpu = model.cpuBackend?.variant ? `\nCPU kernels: ${model.cpuBackend.variant}${model.cpuBackend.build === "localBuild" ? " (rebuilt)" : ""}` : "";
      const fallback = model.gpuFallback ? `\n⚠ ${model.gpuFallback}` : "";
      const demo = model.synthetic ? " (demo: random weights)" : "";
      return {
        text: `$(check) DeepSeek${model.synthetic ? " demo" : ""}`,
        tooltip: `DeepSeek Local: ready${demo}\n${model.name ?? model.path}\n${where}, context ${model.contextSize} tokens, loaded in ${model.loadMs} ms${cpu}${fallback}`,
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
