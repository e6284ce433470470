// Model management in the editor: the first-run welcome (download the recommended model, pick a
// local .gguf, or use a server), "Download Model…", and resuming a download a restart interrupted.
import { readdir } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { formatBytes } from "../../core/models/download/progressMeter.js";
import { loadCatalog, type CatalogEntry } from "../../core/models/catalog.js";
import { recommendModel, type Recommendation } from "../../core/models/recommendation.js";
import type { CommandTable } from "../commandTable.js";
import type { ExtensionContextHolder } from "../extensionContext.js";
import { probeHardware } from "./hostHardware.js";
import { downloadCatalogModel } from "./modelDownload.js";
import { openSettingsAt } from "../config.js";

async function recommendationFor(ctx: ExtensionContextHolder): Promise<Recommendation> {
  const probed = await probeHardware(path.join(ctx.vscodeContext.extensionPath, "dist", "engine.mjs"));
  if (probed.probeError) ctx.log.warn(`hardware: the engine could not be asked (${probed.probeError}); guessing from nvidia-smi and the platform`);
  // Instruct serves chat and completion from one loaded model; Base is offered for completion only.
  const recommendation = recommendModel({ hardware: probed.hardware, catalog: loadCatalog(), variant: "instruct", contextSize: ctx.config.contextSize });
  // A GPU the engine cannot use is said here too: the user may fix it before choosing a smaller file.
  return probed.gpuUnavailable ? { ...recommendation, reasons: [...recommendation.reasons, probed.gpuUnavailable.replace(/^DeepSeek Local: /, "")] } : recommendation;
}

function entryLabel(entry: CatalogEntry): string {
  return `${entry.name} (${formatBytes(entry.sizeBytes)})`;
}

/** Quick pick over the catalog, the recommended file first. */
async function pickCatalogEntry(ctx: ExtensionContextHolder): Promise<CatalogEntry | undefined> {
  const recommendation = await recommendationFor(ctx);
  const items = loadCatalog().models.map((entry) => ({
    label: entry.id === recommendation.entry?.id ? `$(star-full) ${entry.name}` : entry.name,
    description: `${formatBytes(entry.sizeBytes)}${entry.sha256 ? "" : " · no published checksum"}`,
    detail:
      entry.id === recommendation.entry?.id
        ? `Recommended: ${recommendation.reasons.join(" ")}`
        : entry.variant === "base"
          ? "Completion only (best fill-in-the-middle quality); no chat template."
          : "Chat and completion from one model.",
    entry,
  }));
  items.sort((a, b) => Number(b.entry.id === recommendation.entry?.id) - Number(a.entry.id === recommendation.entry?.id));
  const picked = await vscode.window.showQuickPick(items, { title: "Download a DeepSeek model", matchOnDetail: true });
  return picked?.entry;
}

async function showWelcome(ctx: ExtensionContextHolder): Promise<void> {
  const recommendation = await recommendationFor(ctx);
  const recommended = recommendation.entry;
  const download = recommended ? `Download ${recommended.quantization}` : undefined;
  const actions = [download, "Choose Model…", "Select .gguf File…", "Use a Server…"].filter((a): a is string => a !== undefined);
  const intro = recommended
    ? `DeepSeek Local needs a model. Recommended for this machine: ${entryLabel(recommended)}. ${recommendation.reasons.join(" ")}`
    : `DeepSeek Local needs a model. ${recommendation.reasons.join(" ")}`;
  const choice = await vscode.window.showInformationMessage(intro, ...actions);
  if (choice && choice === download && recommended) await downloadCatalogModel(ctx, recommended);
  if (choice === "Choose Model…") await vscode.commands.executeCommand("deepseekLocal.downloadModel");
  if (choice === "Select .gguf File…") await vscode.commands.executeCommand("deepseekLocal.selectModelFile");
  if (choice === "Use a Server…") await openSettingsAt("deepseekLocal.backend");
}

/** Offers to resume downloads that a closed editor left as .part files in the model folder. */
async function offerResume(ctx: ExtensionContextHolder): Promise<void> {
  let names: string[];
  try {
    names = await readdir(ctx.config.modelFolder);
  } catch {
    return;
  }
  for (const entry of loadCatalog().models) {
    if (!names.includes(`${entry.fileName}.part.json`)) continue;
    const choice = await vscode.window.showInformationMessage(`DeepSeek Local: the download of ${entry.name} was interrupted.`, "Resume", "Not Now");
    if (choice === "Resume") await downloadCatalogModel(ctx, entry);
    return;
  }
}

/** The first-run welcome or an interrupted download's resume; the download command, for the command table. */
export function registerModels(ctx: ExtensionContextHolder): CommandTable {
  const needsLocalModel = Object.values(ctx.config.backends.backends).some((kind) => kind === "local");
  if (!ctx.config.modelPath && needsLocalModel) void showWelcome(ctx).catch((error: unknown) => ctx.log.error(`welcome: ${String(error)}`));
  else void offerResume(ctx);
  return {
    "deepseekLocal.downloadModel": async () => {
      const entry = await pickCatalogEntry(ctx);
      if (entry) await downloadCatalogModel(ctx, entry);
    },
  };
}
