// The chat's edit tools with an editor that records what it was asked (the real editor side is the
// agent-edits browser case): a proposal reaches review only as a checked plan, its report goes back
// to the model, commands run only as the user confirms and their output is redacted and cut; a turn
// keeps to its token cap.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentTools, describeCommandResult, type AgentEditor, type CommandResult } from "../../../src/core/agent/agentTools.js";
import type { ChangeSetPlan } from "../../../src/core/agent/changeSetPlan.js";
import type { ReviewResult } from "../../../src/core/agent/changeSetOutcome.js";
import { runChatTurn } from "../../../src/core/chat/chatTurn.js";
import { ReadLedger } from "../../../src/core/chat/readLedger.js";
import { WorkspaceTools } from "../../../src/core/chat/workspaceTools.js";
import { sampleMetrics, scriptedEngine } from "../chat/scriptedEngine.js";

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), "agent-tools-"));
  await mkdir(path.join(workspace, "src"));
  await writeFile(path.join(workspace, "src", "a.js"), "let a = 1;\n");
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

function recordingEditor(review: (plan: ChangeSetPlan) => ReviewResult, command?: (command: string) => CommandResult) {
  const reviewed: ChangeSetPlan[] = [];
  const commands: string[] = [];
  const editor: AgentEditor = {
    current: async (file) => ({ text: await readFile(file, "utf8"), readOnly: false }),
    isFile: async () => true,
    review: async (plan) => {
      reviewed.push(plan);
      return review(plan);
    },
    ...(command
      ? {
          runCommand: async (text: string) => {
            commands.push(text);
            return command(text);
          },
        }
      : {}),
  };
  return { editor, reviewed, commands };
}

const tools = (editor: AgentEditor, ledger = new ReadLedger()) => new AgentTools(new WorkspaceTools([workspace], undefined, undefined, undefined, ledger), ledger, editor);
const propose = (changes: unknown[]) => ({ id: "p", name: "propose_edits", arguments: JSON.stringify({ summary: "s", changes }) });

describe("propose_edits", () => {
  it("sends a checked plan to review and returns what the user applied", async () => {
    const { editor, reviewed } = recordingEditor((plan) => ({ kind: "reviewed", observed: plan.planned.map(() => ({ kind: "edit", textAfter: "let a = 2;\n" })) }));
    const result = await tools(editor).run(propose([{ kind: "edit", path: "src/a.js", edits: [{ anchor: "= 1", replacement: "= 2" }] }]));
    expect(reviewed).toHaveLength(1);
    expect(reviewed[0]!.planned[0]).toMatchObject({ kind: "edit", file: path.join(await realWorkspace(), "src", "a.js") });
    expect(result).toEqual({ ok: true, content: "The user reviewed the proposed changes:\n- edit src/a.js: applied (1 of 1 edit)" });
  });

  it("never shows a review when every change is refused, and says why", async () => {
    const { editor, reviewed } = recordingEditor(() => ({ kind: "discarded" }));
    const result = await tools(editor).run(propose([{ kind: "delete", path: "../elsewhere.js" }]));
    expect(reviewed).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.content).toMatch(/^Every change was refused; nothing was shown to the user:\n- delete \.\.\/elsewhere\.js: .*outside the workspace/);
  });

  it("refuses a proposal that does not match the schema before planning it", async () => {
    const { editor, reviewed } = recordingEditor(() => ({ kind: "discarded" }));
    const result = await tools(editor).run({ id: "p", name: "propose_edits", arguments: '{"summary":"s","changes":[{"kind":"chmod","path":"a"}]}' });
    expect(reviewed).toEqual([]);
    expect(result.content).toMatch(/does not match the tool's schema/);
  });

  it("forgets what the model read of a file it changed: the next edit is checked by its anchors", async () => {
    const ledger = new ReadLedger();
    const { editor } = recordingEditor((plan) => ({ kind: "reviewed", observed: plan.planned.map(() => ({ kind: "edit", textAfter: "let a = 2;\n" })) }));
    const agent = tools(editor, ledger);
    await agent.run({ id: "r", name: "read_file", arguments: '{"path":"src/a.js"}' });
    const file = path.join(await realWorkspace(), "src", "a.js");
    expect(ledger.has(file)).toBe(true);
    await agent.run(propose([{ kind: "edit", path: "src/a.js", edits: [{ anchor: "= 1", replacement: "= 2" }] }]));
    expect(ledger.has(file)).toBe(false);
  });
});

describe("run_command", () => {
  it("is offered only where the editor can run commands", () => {
    expect(tools(recordingEditor(() => ({ kind: "discarded" })).editor).definitions.map((d) => d.name)).not.toContain("run_command");
    const withCommands = recordingEditor(() => ({ kind: "discarded" }), () => ({ kind: "declined" }));
    expect(tools(withCommands.editor).definitions.map((d) => d.name)).toEqual(["read_file", "list_folder", "search_text", "propose_edits", "run_command"]);
  });

  it("tells the model when the user declined, and runs nothing", async () => {
    const { editor, commands } = recordingEditor(() => ({ kind: "discarded" }), () => ({ kind: "declined" }));
    expect(await tools(editor).run({ id: "c", name: "run_command", arguments: '{"command":" npm test "}' })).toEqual({ ok: false, content: "The user declined to run `npm test`." });
    expect(commands).toEqual(["npm test"]);
  });

  it("returns the exit code and the end of the output, secrets redacted", () => {
    const output = `${"x".repeat(7000)}\nAWS key AKIAIOSFODNN7EXAMPLE\nFAIL test/a.test.js\n`;
    const result = describeCommandResult("npm test", { kind: "ran", exitCode: 1, output, timedOut: false, stopped: false });
    expect(result.ok).toBe(false);
    expect(result.content.startsWith("`npm test` exited with code 1.\n… (")).toBe(true);
    expect(result.content).toContain("FAIL test/a.test.js");
    expect(result.content).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(describeCommandResult("make", { kind: "ran", exitCode: null, output: "", timedOut: true, stopped: false }).content).toBe("`make` ran out of time and was stopped.\n(no output)");
    expect(describeCommandResult("make", { kind: "ran", exitCode: 0, output: "ok", timedOut: false, stopped: false })).toEqual({ ok: true, content: "`make` exited with code 0.\nok" });
  });

  it("refuses arguments outside its schema", async () => {
    const { editor, commands } = recordingEditor(() => ({ kind: "discarded" }), () => ({ kind: "declined" }));
    const result = await tools(editor).run({ id: "c", name: "run_command", arguments: JSON.stringify({ command: "x".repeat(301) }) });
    expect(result.content).toMatch(/^Invalid arguments/);
    expect(commands).toEqual([]);
  });
});

describe("a turn's token cap", () => {
  it("ends the turn once its steps have generated the cap, after running the tools asked for", async () => {
    const call = { id: "c1", name: "read_file", arguments: '{"path":"a"}' };
    const many = { ...sampleMetrics, generatedTokens: 40 };
    const { engine, requests } = scriptedEngine([{ toolCalls: [call], metrics: many }, { toolCalls: [call], metrics: many }, { chunks: ["never"] }]);
    const ran: string[] = [];
    const outcome = await runChatTurn(
      engine,
      {
        messages: [{ role: "user", content: "q" }],
        tools: { definitions: [{ name: "read_file", description: "", parameters: {} }], run: async (c) => (ran.push(c.id), { ok: true, content: "x" }) },
        maxToolRounds: 10,
        maxTurnTokens: 70,
        maxTokens: 64,
      },
      { onText: () => undefined, onToolCall: () => undefined, onToolResult: () => undefined },
    );
    expect(requests.map((r) => r.maxTokens)).toEqual([64, 30]);
    expect(ran).toEqual(["c1", "c1"]);
    expect(outcome.answer.stopReason).toBe("maxTokens");
  });
});

async function realWorkspace(): Promise<string> {
  const { realpath } = await import("node:fs/promises");
  return realpath(workspace);
}
