// Downloads a catalog model with a progress notification (bytes, speed, time left, Cancel), checks
// the file's header, and makes it the configured model. The downloader verifies the file against the
// sha256 the catalog or the server publishes; only when neither has one does the user decide whether
// to accept a file checked by size alone.
import { existsSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import { DownloadError } from "../../core/models/download/downloadFailure.js";
import { describeProgress } from "../../core/models/download/progressMeter.js";
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

export interface DownloadChoices {
  /** The user accepted a file that can only be checked by size (no sha256 anywhere). */
  allowUnverified?: boolean;
}

export async function downloadCatalogModel(ctx: ExtensionContextHolder, entry: CatalogEntry, choices: DownloadChoices = {}): Promise<void> {
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
            allowUnverified: choices.allowUnverified === true,
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
    reportDownloadFailure(ctx, entry, error, choices);
    return;
  } finally {
    inFlight.delete(destination);
  }

  ctx.log.info(`downloaded ${result.path}: ${result.sizeBytes} bytes, sha256 ${result.sha256}, verified ${result.verified}`);
  if (!(await acceptModelFile(ctx, result.path, entry))) return;
  await ctx.config.setModelPath(result.path);
  void vscode.window.showInformationMessage(
    result.verified
      ? `DeepSeek Local: ${entry.name} is downloaded and verified (sha256 and size); loading it.`
      : `DeepSeek Local: ${entry.name} is downloaded. Its content could NOT be verified (no published checksum): only its size matched the server's. Its sha256 is ${result.sha256} (in the log). Loading it.`,
  );
}

/** Neither the catalog nor the server has a sha256: the user may accept a size-checked file, knowingly. */
async function offerUnverifiedDownload(ctx: ExtensionContextHolder, entry: CatalogEntry): Promise<void> {
  const choice = await vscode.window.showWarningMessage(
    `Neither the catalog nor the server publishes a sha256 checksum for ${entry.fileName}, so its content cannot be verified. Download it anyway? Only its exact size and its GGUF header will be checked.`,
    { modal: true, detail: `From: ${entry.url}` },
    "Download Without Verification",
  );
  if (choice === "Download Without Verification") await downloadCatalogModel(ctx, entry, { allowUnverified: true });
}

/** Failures another try cannot fix: the user must act (or wait for the other window) first. */
const finalCodes = new Set(["notFound", "unauthorized", "noChecksum", "unverifiable", "insecureRedirect", "badRedirect", "busy"]);

function reportDownloadFailure(ctx: ExtensionContextHolder, entry: CatalogEntry, error: unknown, choices: DownloadChoices): void {
  const message = error instanceof Error ? error.message : String(error);
  ctx.log.error(`download of ${entry.url} failed: ${message}`);
  if (error instanceof DownloadError && error.code === "noChecksum") {
    void offerUnverifiedDownload(ctx, entry);
    return;
  }
  if (error instanceof DownloadError && error.code === "busy") {
    void vscode.window.showInformationMessage(`DeepSeek Local: ${message}`);
    return;
  }
  if (error instanceof DownloadError && error.code === "cancelled") {
    void vscode.window.showInformationMessage(`DeepSeek Local: download of ${entry.name} paused.`, "Resume").then((choice) => {
      if (choice === "Resume") void downloadCatalogModel(ctx, entry, choices);
    });
    return;
  }
  const retryable = error instanceof DownloadError && !finalCodes.has(error.code);
  // After a mismatch the download was deleted: another try starts from zero, it does not resume.
  const again = error instanceof DownloadError && (error.code === "checksumMismatch" || error.code === "sizeMismatch") ? "Download Again" : "Resume";
  const actions = retryable ? [again, "Select Model File…"] : ["Select Model File…"];
  void vscode.window.showErrorMessage(`DeepSeek Local: ${message}`, ...actions).then((choice) => {
    if (choice === again) void downloadCatalogModel(ctx, entry, choices);
    if (choice === "Select Model File…") void vscode.commands.executeCommand("deepseekLocal.selectModelFile");
  });
}
