// The one reader of settings. Core code receives plain objects built here.
import * as vscode from "vscode";
import type { LoadParams } from "../protocol/engine.js";

const section = "deepseekLocal";

/** Settings whose change needs the engine restarted (they shape the loaded model or context). */
export const engineRestartSettings = [
  "model.path",
  "engine.gpuLayers",
  "engine.contextSize",
  "engine.threads",
  "engine.flashAttention",
] as const;

export class Config {
  private get raw(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(section);
  }

  get modelPath(): string {
    return this.raw.get<string>("model.path", "").trim();
  }

  get startOnActivation(): boolean {
    return this.raw.get<boolean>("engine.startOnActivation", true);
  }

  /** What the engine loads, or undefined when no model is configured. */
  get loadParams(): LoadParams | undefined {
    const modelPath = this.modelPath;
    if (!modelPath) return undefined;
    const gpuLayers = this.raw.get<string | number>("engine.gpuLayers", "auto");
    return {
      modelPath,
      gpuLayers: typeof gpuLayers === "number" ? Math.max(0, Math.floor(gpuLayers)) : "auto",
      contextSize: this.raw.get<number>("engine.contextSize", 8192),
      threads: this.raw.get<number>("engine.threads", 0),
      flashAttention: this.raw.get<boolean>("engine.flashAttention", false),
    };
  }

  async setModelPath(path: string): Promise<void> {
    await this.raw.update("model.path", path, vscode.ConfigurationTarget.Global);
  }

  affectsEngine(event: vscode.ConfigurationChangeEvent): boolean {
    return engineRestartSettings.some((key) => event.affectsConfiguration(`${section}.${key}`));
  }
}
