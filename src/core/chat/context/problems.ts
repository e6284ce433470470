// `@problems`: the diagnostics VS Code reports (of the active file, or of the workspace), each with
// the lines around it, errors first, cut to a token budget. Files that must stay private are named
// in a count only: their paths' problems would quote their lines.
import { contextAttachment, defaultContextTokens, takeWithinBudget } from "./contextProvider.js";
import type { Attachment } from "../conversation.js";

export type ProblemSeverity = "error" | "warning" | "information" | "hint";

export interface Problem {
  /** 0-based, as the editor reports it. */
  line: number;
  column: number;
  severity: ProblemSeverity;
  message: string;
  /** "ts", "eslint"; and the code, "2322". */
  source?: string;
  code?: string;
}

export interface ProblemFile {
  /** Workspace-relative. */
  path: string;
  /** The file's lines (as the editor has them, unsaved edits included). */
  lines: readonly string[];
  problems: readonly Problem[];
}

export interface ProblemsOptions {
  /** "the active file" or "the workspace": said in the label and when there is nothing. */
  scope: "file" | "workspace";
  privateReason: (path: string) => string | undefined;
  maxTokens?: number;
  /** Lines shown on each side of a problem's line. */
  around?: number;
  /** Hints are noise to a reader of the prompt; they are left out unless asked for. */
  includeHints?: boolean;
}

/** At most this many problems are considered: a broken build can report thousands. */
export const maxProblems = 200;
const severityOrder: Record<ProblemSeverity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** The problems as one attachment, or a sentence saying why there is nothing to attach. */
export function problemsContext(files: readonly ProblemFile[], options: ProblemsOptions): Attachment | string {
  const around = options.around ?? 2;
  const privateFiles = files.filter((file) => file.problems.length && options.privateReason(file.path));
  const listed = files
    .filter((file) => !options.privateReason(file.path))
    .flatMap((file) => file.problems.filter((problem) => options.includeHints || problem.severity !== "hint").map((problem) => ({ file, problem })))
    .sort((a, b) => severityOrder[a.problem.severity] - severityOrder[b.problem.severity] || a.file.path.localeCompare(b.file.path) || a.problem.line - b.problem.line)
    .slice(0, maxProblems);
  const where = options.scope === "file" ? "the active file" : "the workspace";
  if (!listed.length) return privateFiles.length ? `The problems of ${where} are in private files only; nothing was attached.` : `There are no problems in ${where}.`;
  const blocks = listed.map(({ file, problem }) => describeProblem(file, problem, around));
  const { kept, left } = takeWithinBudget(blocks, options.maxTokens ?? defaultContextTokens);
  const notes = [
    ...(left ? [`… ${left} more problem${left === 1 ? "" : "s"} not shown (over the budget).`] : []),
    ...(privateFiles.length ? [`(${privateFiles.length} private file${privateFiles.length === 1 ? "" : "s"} with problems left out.)`] : []),
  ];
  const paths = [...new Set(listed.map(({ file }) => file.path))];
  const label = `Problems (${kept.length}${left ? ` of ${listed.length}` : ""}) in ${options.scope === "file" ? paths[0] : "the workspace"}`;
  return contextAttachment("problems", label, [...kept, ...notes].join("\n\n"), options.scope === "file" ? paths[0] : "");
}

/** "src/a.ts:3:5 error ts(2322): message" and the numbered lines around it, the problem's marked. */
function describeProblem(file: ProblemFile, problem: Problem, around: number): string {
  const origin = problem.source ? ` ${problem.source}${problem.code ? `(${problem.code})` : ""}` : "";
  const head = `${file.path}:${problem.line + 1}:${problem.column + 1} ${problem.severity}${origin}: ${problem.message.split("\n")[0]}`;
  const first = Math.max(0, problem.line - around);
  const last = Math.min(file.lines.length - 1, problem.line + around);
  const width = String(last + 1).length;
  const excerpt: string[] = [];
  for (let index = first; index <= last; index++) {
    // Minified or generated lines would eat the budget: a long line is shortened.
    const text = file.lines[index]!.length > 300 ? `${file.lines[index]!.slice(0, 300)}…` : file.lines[index]!;
    excerpt.push(`${index === problem.line ? ">" : " "} ${String(index + 1).padStart(width)} | ${text}`);
  }
  return [head, ...excerpt].join("\n");
}
