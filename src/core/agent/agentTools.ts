// The chat's tools when it may change code (issue 23): the reading tools, plus propose_edits (a change
// set the user reviews and applies) and run_command (a command the user confirms each time, its
// output returned). The editor's part — showing the change set, applying it as one undo step,
// asking before a command runs — comes in through `AgentEditor`; everything decided here is plain.
import type { ToolCall, ToolDefinition } from "../engine/chatEngine.js";
import { validateJsonValue } from "../json/validateJson.js";
import { redactSecrets } from "../privacy/secretText.js";
import type { ReadLedger } from "../chat/readLedger.js";
import { workspaceToolDefinitions, type WorkspaceTools } from "../chat/workspaceTools.js";
import { planChangeSet, type ChangeSetPlan } from "./changeSetPlan.js";
import { reportChangeSet, type ReviewResult } from "./changeSetOutcome.js";
import { parseEditProposal, proposeEditsTool, proposeEditsToolName } from "./editProposal.js";

export const runCommandToolName = "run_command";

const runCommandTool: ToolDefinition = {
  name: runCommandToolName,
  description:
    "Run a shell command in the workspace folder (the tests, a build) to check a change. The user confirms every command; " +
    "the result is its exit code and the end of its output.",
  parameters: {
    type: "object",
    properties: { command: { type: "string", minLength: 1, maxLength: 300 } },
    required: ["command"],
    additionalProperties: false,
  },
};

export type CommandResult = { kind: "declined" } | { kind: "ran"; exitCode: number | null; output: string; timedOut: boolean; stopped: boolean };

/** What only the editor can do. */
export interface AgentEditor {
  /** The file's text now (an open editor's buffer included) and whether it may be written. */
  current(file: string): Promise<{ text: string; readOnly: boolean }>;
  isFile(file: string): Promise<boolean>;
  /** Shows the plan for review (per file a diff, per change a checkbox) and applies what the user ticks, as one undo step. */
  review(plan: ChangeSetPlan, signal?: AbortSignal): Promise<ReviewResult>;
  /** Asks the user, then runs the command in a terminal; absent where commands may not run (Restricted Mode). */
  runCommand?(command: string, signal?: AbortSignal): Promise<CommandResult>;
}

/** The most of a command's output that goes back to the model: its end, where the errors are. */
const commandOutputChars = 6000;

export function describeCommandResult(command: string, result: CommandResult): { ok: boolean; content: string } {
  if (result.kind === "declined") return { ok: false, content: `The user declined to run \`${command}\`.` };
  const how = result.stopped
    ? "was stopped by the user"
    : result.timedOut
      ? "ran out of time and was stopped"
      : `exited with code ${result.exitCode ?? "unknown (killed by a signal)"}`;
  const output = redactSecrets(result.output).text;
  const tail = output.length > commandOutputChars ? `… (${output.length - commandOutputChars} characters before this)\n${output.slice(-commandOutputChars)}` : output;
  return { ok: result.exitCode === 0, content: `\`${command}\` ${how}.\n${tail.trim() ? tail : "(no output)"}` };
}

export class AgentTools {
  readonly definitions: readonly ToolDefinition[];

  constructor(
    private readonly workspace: WorkspaceTools,
    private readonly ledger: ReadLedger,
    private readonly editor: AgentEditor,
  ) {
    this.definitions = [...workspaceToolDefinitions, proposeEditsTool(), ...(editor.runCommand ? [runCommandTool] : [])];
  }

  async run(call: ToolCall, signal?: AbortSignal): Promise<{ ok: boolean; content: string }> {
    if (call.name === proposeEditsToolName) return this.proposeEdits(call.arguments, signal);
    if (call.name === runCommandToolName && this.editor.runCommand) return this.runCommand(call.arguments, signal);
    return this.workspace.run(call);
  }

  private async proposeEdits(argumentsJson: string, signal?: AbortSignal): Promise<{ ok: boolean; content: string }> {
    const parsed = parseEditProposal(argumentsJson);
    if (!parsed.ok) return { ok: false, content: parsed.error };
    const plan = await planChangeSet(
      parsed.proposal,
      {
        locate: async (requested) => {
          const { real, exists, shown } = await this.workspace.resolveForWrite(requested);
          return { file: real, exists, shown };
        },
        isFile: (file) => this.editor.isFile(file),
        current: (file) => this.editor.current(file),
      },
      this.ledger,
    );
    const result: ReviewResult = plan.planned.length ? await this.editor.review(plan, signal) : { kind: "discarded" };
    const report = reportChangeSet(plan, result);
    // What the model read of a changed file is no longer what is there.
    for (const file of report.touchedFiles) this.ledger.forget(file);
    return { ok: report.applied > 0, content: report.text };
  }

  private async runCommand(argumentsJson: string, signal?: AbortSignal): Promise<{ ok: boolean; content: string }> {
    let args: unknown;
    try {
      args = JSON.parse(argumentsJson);
    } catch {
      return { ok: false, content: "The tool arguments are not valid JSON." };
    }
    const checked = validateJsonValue<{ command: string }>(runCommandTool.parameters, args);
    if (!checked.ok) return { ok: false, content: `Invalid arguments: ${checked.error}` };
    const command = checked.value.command.trim();
    return describeCommandResult(command, await this.editor.runCommand!(command, signal));
  }
}
