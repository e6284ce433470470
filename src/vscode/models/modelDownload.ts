// Downloads a catalog model with a progress notification (bytes, speed, time left, Cancel), checks
// the file's header, and makes it the configured model.
import { existsSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import { DownloadError } from "../../core/download/downloadFailure.js";
import { describeProgress } from "../../core/download/progressMeter.js";
import type { CatalogEntry } from "../../core/models/catalog.js";
import { downloadModelFile, type DownloadResult } from "../../download/modelDownloader.js";
import type { ExtensionContextHolder } from "../extensionContext.js";
import { checkModelFileRoles } from "./readModelHeader.js";

const inFlight = new Set<string>();

/** Checks the header of a model file for the entry's roles; false (after telling the user) when unusable. */
async function acceptModelFile(ctx: ExtensionContextHolder, file: string, entry: CatalogEntry): Promise<boolean> {
  const verdict = await checkModelFileRoles(file, entry.roles, ctx.config.contextSize);
  for (const problem of verdict.problems) ctx.log.warn(problem.message);
  if (verdict.usableRoles.length === 0) {
    void vscode.window.showErrorMessage(`DeepSeek Local: ${verdict.problems[0]?.message ?? `${file} cannot be used.`}`);
    return false;
  }
  const advice = verdict.problems.filter((p) => p.severity !== "unusable");
  if (advice.length > 0) void vscode.window.showWarningMessage(`DeepSeek Local: ${advice.map((p) => p.message).join(" ")}`);
  return true;
}

export async function downloadCatalogModel(ctx: ExtensionContextHolder, entry: CatalogEntry): Promise<void> {
  const destination = path.join(ctx.config.modelFolder, entry.fileName);
  if (inFlight.has(destination)) {
    void vscode.window.showInformationMessage(`DeepSeek Local: ${entry.name} is already downloading.`);
    return;
  }
  if (existsSync(destination)) {
    const choice = await vscode.window.showInformationMessage(`DeepSeek Local: ${entry.fileName} is already in ${ctx.config.modelFolder}.`, "Use It", "Download Again");
    if (choice === "Use It") {
      if (await acceptModelFile(ctx, destination, entry)) await ctx.config.setModelPath(destination);
      return;
    }
    if (choice !== "Download Again") return;
  }
  if (!entry.sha256) {
    const choice = await vscode.window.showWarningMessage(
      `No sha256 checksum is recorded for ${entry.fileName}, so the download cannot be verified byte for byte; only its size and GGUF header will be checked.`,
      { modal: true, detail: `From: ${entry.url}` },
      "Download Anyway",
    );
    if (choice !== "Download Anyway") return;
  }

  inFlight.add(destination);
  let result: DownloadResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Downloading ${entry.name}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        let reportedPercent = 0;
        try {
          return await downloadModelFile({
            url: entry.url,
            destination,
            sha256: entry.sha256,
            allowUnverified: entry.sha256 === null,
            expectedSizeBytes: entry.sizeBytes,
            signal: controller.signal,
            progressIntervalMs: 500,
            onProgress: (p) => {
              const percent = p.totalBytes ? (100 * p.receivedBytes) / p.totalBytes : reportedPercent;
              progress.report({ message: describeProgress(p), increment: Math.max(0, percent - reportedPercent) });
              reportedPercent = Math.max(reportedPercent, percent);
            },
          });
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    reportDownloadFailure(ctx, entry, error);
    return;
  } finally {
    inFlight.delete(destination);
  }

  ctx.log.info(`downloaded ${result.path}: ${result.sizeBytes} bytes, sha256 ${result.sha256}, verified ${result.verified}`);
  if (!(await acceptModelFile(ctx, result.path, entry))) return;
  await ctx.config.setModelPath(result.path);
  void vscode.window.showInformationMessage(
    result.verified
      ? `DeepSeek Local: ${entry.name} is downloaded and verified; loading it.`
      : `DeepSeek Local: ${entry.name} is downloaded (not verified: no published checksum; its sha256 is ${result.sha256}, in the log). Loading it.`,
  );
}

function reportDownloadFailure(ctx: ExtensionContextHolder, entry: CatalogEntry, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  ctx.log.error(`download of ${entry.url} failed: ${message}`);
  if (error instanceof DownloadError && error.code === "cancelled") {
    void vscode.window.showInformationMessage(`DeepSeek Local: download of ${entry.name} paused.`, "Resume").then((choice) => {
      if (choice === "Resume") void downloadCatalogModel(ctx, entry);
    });
    return;
  }
  const retryable = error instanceof DownloadError && !["notFound", "unauthorized", "noChecksum"].includes(error.code);
  const actions = retryable ? ["Resume", "Select Model File…"] : ["Select Model File…"];
  void vscode.window.showErrorMessage(`DeepSeek Local: ${message}`, ...actions).then((choice) => {
    if (choice === "Resume") void downloadCatalogModel(ctx, entry);
    if (choice === "Select Model File…") void vscode.commands.executeCommand("deepseekLocal.selectModelFile");
  });
}
