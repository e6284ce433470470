// "Write Commit Message with DeepSeek" in the Source Control view's title: the staged diff (the
// unstaged one when nothing is staged, said so) through the git extension's API, private files left
// out and the rest cut to a budget (core/commitMessage), the repository's recent subjects as the
// style, and the answer streamed into the commit input box. It never commits; it replaces the box's
// text only when the box is empty or holds a message it wrote itself, and stops if the user types.
import * as vscode from "vscode";
import { cleanCommitMessage } from "../../core/commitMessage/cleanCommitMessage.js";
import { buildCommitPrompt } from "../../core/commitMessage/commitPrompt.js";
import { detectCommitStyle, subjectsOf, type CommitStyle } from "../../core/commitMessage/commitStyle.js";
import { budgetDiff, splitUnifiedDiff } from "../../core/commitMessage/diffBudget.js";
import type { ChatMessage } from "../../core/engine/chatEngine.js";
import { privatePathReason } from "../../core/privacy/secretPaths.js";
import type { CommandTable } from "../commandTable.js";
import type { ExtensionContextHolder } from "../extensionContext.js";
import { gitApi, repositoryFor, type GitRepository } from "./gitApi.js";

export const writeCommitMessageCommand = "deepseekLocal.writeCommitMessage";

/** Diff tokens in the prompt: with the instructions and the answer, well inside the default 8192 context. */
const diffBudgetTokens = 3000;
const answerTokens = 300;
const historySubjects = 10;

interface Changes {
  diff: string;
  source: "staged" | "unstaged";
}

class CommitMessageWriter {
  /** Per repository root: the message this writer last put in the input box. */
  private readonly written = new Map<string, string>();
  private readonly running = new Set<string>();

  constructor(private readonly ctx: ExtensionContextHolder) {}

  async write(argument: unknown): Promise<void> {
    const git = await gitApi();
    if (typeof git === "string") return void vscode.window.showWarningMessage(`DeepSeek Local cannot write a commit message: ${git}`);
    const repository = repositoryFor(git, argument);
    if (!repository) return void vscode.window.showWarningMessage("DeepSeek Local: no git repository found here. Run Write Commit Message from the Source Control view, or open a file of the repository.");
    const root = repository.rootUri.toString();
    if (this.running.has(root)) return;
    this.running.add(root);
    try {
      await this.writeFor(repository, root);
    } catch (error) {
      this.ctx.log.error(`commit message failed: ${(error as Error)?.stack ?? String(error)}`);
      void vscode.window.showErrorMessage(`DeepSeek Local could not write the commit message: ${(error as Error)?.message ?? String(error)}`);
    } finally {
      this.running.delete(root);
    }
  }

  private async writeFor(repository: GitRepository, root: string): Promise<void> {
    const changes = await changesOf(repository);
    if (!changes) return void vscode.window.showInformationMessage("DeepSeek Local: nothing to describe. There are no staged or unstaged changes in this repository.");
    if (changes.source === "unstaged") vscode.window.setStatusBarMessage("DeepSeek Local: nothing is staged; describing the unstaged changes.", 8000);
    if (!(await this.mayReplace(repository, root))) return;
    const privacy = this.ctx.privacy.settings();
    const diff = budgetDiff(splitUnifiedDiff(changes.diff), {
      maxTokens: diffBudgetTokens,
      privateReason: (path) => privatePathReason(path, privacy, { root: repository.rootUri.fsPath }),
    });
    if (diff.privateFiles.length) this.ctx.log.info(`commit message: contents left out of the prompt (private): ${diff.privateFiles.map((file) => file.path).join(", ")}`);
    const commits = await repository.log({ maxEntries: historySubjects }).catch(() => []);
    const style = detectCommitStyle(subjectsOf(commits.map((commit) => commit.message)));
    await this.generate(repository, root, buildCommitPrompt({ diff, style, source: changes.source }), style, changes.source);
  }

  /** The box's text is the user's own unless this writer put it there: ask before replacing it. */
  private async mayReplace(repository: GitRepository, root: string): Promise<boolean> {
    const current = repository.inputBox.value;
    if (current.trim() === "" || current === this.written.get(root)) return true;
    const choice = await vscode.window.showWarningMessage("DeepSeek Local: the commit message box has your text. Replace it with a generated message?", "Replace");
    return choice === "Replace";
  }

  private async generate(repository: GitRepository, root: string, messages: ChatMessage[], style: CommitStyle, source: Changes["source"]): Promise<void> {
    const before = repository.inputBox.value;
    /** What this run put in the box (and what was there before it started). */
    const ours = new Set([before]);
    const title = `DeepSeek Local: writing the commit message${source === "unstaged" ? " for the unstaged changes (nothing is staged)" : ""}…`;
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      let answer = "";
      const show = (text: string) => {
        // The user typed in the box while it streamed: theirs wins, and the answer stops. Any value
        // written in this run counts as ours: the box echoes earlier values back a moment later.
        if (!ours.has(repository.inputBox.value)) return controller.abort();
        ours.add(text);
        repository.inputBox.value = text;
        this.written.set(root, text);
      };
      try {
        // The refactor sequence, so one-shot prompts do not evict the chat conversation's KV.
        const result = await this.ctx.engineFor("chat").chat(
          { messages, maxTokens: answerTokens, temperature: 0.2, sequence: "refactor" },
          {
            signal: controller.signal,
            onText: (chunk) => {
              const text = cleanCommitMessage((answer += chunk), style);
              if (text && !controller.signal.aborted) show(text);
            },
          },
        );
        const message = cleanCommitMessage(result.text || answer, style);
        if (message && !controller.signal.aborted) show(message);
        return controller.signal.aborted ? "cancelled" : message ? "written" : "empty";
      } catch (error) {
        if (controller.signal.aborted) return "cancelled";
        throw error;
      } finally {
        subscription.dispose();
      }
    });
    this.finish(repository, before, ours, outcome);
  }

  private finish(repository: GitRepository, before: string, ours: ReadonlySet<string>, outcome: "written" | "cancelled" | "empty"): void {
    if (outcome === "written") return void vscode.window.setStatusBarMessage("DeepSeek Local: commit message written; review it, then commit.", 8000);
    // Cancelled or empty: put back what was there, unless the user has typed since.
    if (ours.has(repository.inputBox.value)) repository.inputBox.value = before;
    if (outcome === "empty") void vscode.window.showWarningMessage("DeepSeek Local: the model gave no commit message. Try again, or check the model in the status menu.");
    else vscode.window.setStatusBarMessage("DeepSeek Local: commit message cancelled.", 5000);
  }
}

/** The staged diff; the unstaged one when nothing is staged (as Copilot does); undefined when neither has changes. */
async function changesOf(repository: GitRepository): Promise<Changes | undefined> {
  const staged = await repository.diff(true);
  if (staged.trim()) return { diff: staged, source: "staged" };
  const unstaged = await repository.diff(false);
  return unstaged.trim() ? { diff: unstaged, source: "unstaged" } : undefined;
}

/** The command behind the Source Control view's title button, for the command table. */
export function registerCommitMessage(ctx: ExtensionContextHolder): CommandTable {
  const writer = new CommitMessageWriter(ctx);
  return { [writeCommitMessageCommand]: (argument?: unknown) => writer.write(argument) };
}
