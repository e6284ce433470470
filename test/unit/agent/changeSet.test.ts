// The chat's edit tool without an editor (issue 23): a proposal is validated, planned against the
// workspace as it is, refused change by change with the reason, and what the user applied is read
// back from the files.
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planChangeSet, type ChangeSetPlan, type ChangeSetWorkspace } from "../../../src/core/agent/changeSetPlan.js";
import { appliedEdits, reportChangeSet } from "../../../src/core/agent/changeSetOutcome.js";
import { defaultProposalLimits, editProposalSchema, parseEditProposal, type EditProposal, type ProposedChange } from "../../../src/core/agent/editProposal.js";
import { ReadLedger } from "../../../src/core/chat/readLedger.js";
import { WorkspaceTools } from "../../../src/core/chat/workspaceTools.js";
import { validateJsonValue } from "../../../src/core/json/validateJson.js";

let base: string;
let workspace: string;
const readOnly = new Set<string>();

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "agent-edits-"));
  workspace = path.join(base, "ws");
  await mkdir(path.join(workspace, "src"), { recursive: true });
  await mkdir(path.join(base, "outside"));
  await writeFile(path.join(workspace, "src", "a.js"), "export function add(a, b) {\n  return a + b;\n}\n");
  await writeFile(path.join(workspace, "src", "b.js"), "const x = 1;\nconst y = 1;\n");
  await writeFile(path.join(workspace, "src", "crlf.js"), "let a = 1;\r\nlet b = 2;\r\n");
  await writeFile(path.join(workspace, "src", "locked.js"), "locked\n");
  await writeFile(path.join(workspace, ".gitignore"), "build/\n");
  await mkdir(path.join(workspace, "build"));
  await writeFile(path.join(workspace, "build", "out.js"), "generated\n");
  await writeFile(path.join(workspace, ".env"), "TOKEN=abc\n");
  await symlink(path.join(base, "outside"), path.join(workspace, "escape"));
  readOnly.add(path.join(workspace, "src", "locked.js"));
});

afterAll(() => rm(base, { recursive: true, force: true }));

function workspaceView(tools: WorkspaceTools, texts: Record<string, string> = {}): ChangeSetWorkspace {
  return {
    locate: async (requested) => {
      const { real, exists, shown } = await tools.resolveForWrite(requested);
      return { file: real, exists, shown };
    },
    isFile: async (file) => !file.endsWith("src"),
    current: async (file) => ({ text: texts[file] ?? (await readFile(file, "utf8")), readOnly: readOnly.has(file) }),
  };
}

const proposal = (...changes: ProposedChange[]): EditProposal => ({ summary: "A change.", changes });
const plan = (p: EditProposal, ledger?: ReadLedger, texts?: Record<string, string>) => planChangeSet(p, workspaceView(new WorkspaceTools([workspace], undefined, undefined, undefined, ledger), texts), ledger);
const reasons = (planned: ChangeSetPlan) => planned.refused.map((r) => `${r.shown}: ${r.reason}`);

describe("the proposal's schema", () => {
  it("takes edits, creations, renames and deletions of several files in one answer", () => {
    const valid = proposal(
      { kind: "edit", path: "src/a.js", edits: [{ anchor: "a + b", replacement: "a - b" }] },
      { kind: "create", path: "src/c.js", content: "new\n" },
      { kind: "rename", path: "src/b.js", newPath: "src/bb.js" },
      { kind: "delete", path: "src/locked.js" },
    );
    expect(parseEditProposal(JSON.stringify(valid))).toEqual({ ok: true, proposal: valid });
  });

  it("refuses what does not match it: an unknown kind, no changes, a missing anchor, extra fields", () => {
    for (const bad of [
      { summary: "s", changes: [{ kind: "chmod", path: "a" }] },
      { summary: "s", changes: [] },
      { summary: "s", changes: [{ kind: "edit", path: "a", edits: [{ replacement: "x" }] }] },
      { summary: "s", changes: [{ kind: "delete", path: "a", why: "x" }] },
    ]) {
      const parsed = parseEditProposal(JSON.stringify(bad));
      expect(parsed.ok, JSON.stringify(bad)).toBe(false);
    }
    expect(parseEditProposal("{not json")).toEqual({ ok: false, error: "The proposal is not valid JSON." });
  });

  it("refuses a text that reached its bound: the grammar may have cut it", () => {
    const cut = proposal({ kind: "create", path: "src/c.js", content: "x".repeat(defaultProposalLimits.maxTextLength) });
    const parsed = parseEditProposal(JSON.stringify(cut));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain("/changes/0/content");
  });

  it("bounds every string and list, so a grammar always closes", () => {
    const unbounded: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (!node || typeof node !== "object") return;
      const schema = node as Record<string, unknown>;
      if (schema.type === "string" && typeof schema.maxLength !== "number") unbounded.push(where);
      if (schema.type === "array" && typeof schema.maxItems !== "number") unbounded.push(where);
      for (const [key, value] of Object.entries(schema)) walk(value, `${where}/${key}`);
    };
    walk(editProposalSchema(), "");
    expect(unbounded).toEqual([]);
    expect(validateJsonValue(editProposalSchema(), proposal({ kind: "delete", path: "x" })).ok).toBe(true);
  });
});

describe("planning a change set", () => {
  it("plans an edit as offsets in the file's current text", async () => {
    const planned = await plan(proposal({ kind: "edit", path: "src/a.js", edits: [{ anchor: "return a + b;", replacement: "return a - b;" }] }));
    expect(planned.refused).toEqual([]);
    const [change] = planned.planned;
    expect(change).toMatchObject({ kind: "edit", shown: "src/a.js" });
    if (change?.kind !== "edit") throw new Error("an edit");
    const edit = change.edits[0]!;
    expect(change.baseText.slice(edit.start, edit.end)).toBe("return a + b;");
    expect(edit.newText).toBe("return a - b;");
  });

  it("writes a replacement with the file's own line ends", async () => {
    const planned = await plan(proposal({ kind: "edit", path: "src/crlf.js", edits: [{ anchor: "let a = 1;\nlet b", replacement: "let a = 3;\nlet c = 4;\nlet b" }] }));
    const change = planned.planned[0];
    if (change?.kind !== "edit") throw new Error(reasons(planned).join());
    expect(change.edits[0]!.newText).toBe("let a = 3;\r\nlet c = 4;\r\nlet b");
    expect(change.baseText.slice(change.edits[0]!.start, change.edits[0]!.end)).toBe("let a = 1;\r\nlet b");
  });

  it("refuses each bad change with its reason and still offers the good ones", async () => {
    const planned = await plan(
      proposal(
        { kind: "edit", path: "src/a.js", edits: [{ anchor: "a * b", replacement: "x" }] },
        { kind: "edit", path: "src/b.js", edits: [{ anchor: " = 1;", replacement: " = 2;" }] },
        { kind: "edit", path: "../outside/x.js", edits: [{ anchor: "x", replacement: "y" }] },
        { kind: "create", path: "escape/new.js", content: "x" },
        { kind: "delete", path: ".env" },
        { kind: "edit", path: "build/out.js", edits: [{ anchor: "generated", replacement: "x" }] },
        { kind: "delete", path: "src/locked.js" },
        { kind: "create", path: "src/a.js", content: "x" },
        { kind: "delete", path: "src/missing.js" },
        { kind: "rename", path: "src/crlf.js", newPath: "src/a.js" },
        { kind: "create", path: "src/new/deep.js", content: "ok\n" },
      ),
    );
    const refused = reasons(planned);
    expect(refused[0]).toMatch(/^src\/a\.js: the anchor "a \* b" is not in the file/);
    expect(refused[1]).toMatch(/^src\/b\.js: the anchor "= 1;" occurs more than once/);
    expect(refused[2]).toMatch(/outside the workspace/);
    expect(refused[3]).toMatch(/leads outside the workspace \(a symbolic link\)/);
    expect(refused[4]).toMatch(/^\.env: .*private/);
    expect(refused[5]).toMatch(/^build\/out\.js: .*private/);
    expect(refused[6]).toBe("src/locked.js: it is read-only");
    // src/a.js: already claimed? No — the first change was refused; here it exists.
    expect(refused[7]).toMatch(/^src\/a\.js: it already exists/);
    expect(refused[8]).toBe("src/missing.js: it does not exist");
    expect(refused[9]).toMatch(/src\/a\.js already exists/);
    expect(refused).toHaveLength(10);
    expect(planned.planned).toEqual([{ kind: "create", shown: "src/new/deep.js", file: path.join(workspace, "src", "new", "deep.js"), content: "ok\n" }]);
  });

  it("refuses overlapping edits, edits that change nothing, and a file changed twice", async () => {
    const planned = await plan(
      proposal(
        { kind: "edit", path: "src/a.js", edits: [{ anchor: "return a + b;", replacement: "x" }, { anchor: "a + b", replacement: "y" }] },
        { kind: "edit", path: "src/b.js", edits: [{ anchor: "const x = 1;", replacement: "const x = 1;" }] },
        { kind: "rename", path: "src/crlf.js", newPath: "src/d.js" },
        { kind: "delete", path: "src/d.js" },
      ),
    );
    expect(reasons(planned)).toEqual([
      "src/a.js: two of its edits overlap",
      "src/b.js: the edits change nothing",
      "src/d.js: it does not exist",
    ]);
    const again = await plan(proposal({ kind: "rename", path: "src/crlf.js", newPath: "src/d.js" }, { kind: "create", path: "src/d.js", content: "x" }));
    expect(reasons(again)).toEqual(["src/d.js: it is changed twice in this proposal; propose one change per file"]);
  });

  it("refuses a change whose file the editor cannot open, and plans the others", async () => {
    const tools = new WorkspaceTools([workspace]);
    const view = workspaceView(tools);
    const failing: ChangeSetWorkspace = {
      ...view,
      current: async (file) => {
        if (file.endsWith("b.js")) throw new Error("cannot open a binary file");
        return view.current(file);
      },
    };
    const planned = await planChangeSet(proposal({ kind: "delete", path: "src/b.js" }, { kind: "delete", path: "src/crlf.js" }), failing);
    expect(reasons(planned)).toEqual(["src/b.js: it could not be checked (cannot open a binary file)"]);
    expect(planned.planned.map((change) => change.shown)).toEqual(["src/crlf.js"]);
  });

  it("refuses an edit of a file that changed since the model read it (unsaved editor text counts)", async () => {
    const ledger = new ReadLedger();
    const tools = new WorkspaceTools([workspace], undefined, undefined, undefined, ledger);
    await tools.readFile("src/a.js");
    const file = path.join(workspace, "src", "a.js");
    const edit = proposal({ kind: "edit", path: "src/a.js", edits: [{ anchor: "a + b", replacement: "a - b" }] });
    expect((await planChangeSet(edit, workspaceView(tools), ledger)).refused).toEqual([]);
    const typed = (await readFile(file, "utf8")).replace("export ", "export default ");
    const stale = await planChangeSet(edit, workspaceView(tools, { [file]: typed }), ledger);
    expect(reasons(stale)).toEqual(["src/a.js: it changed since the model read it (read it again)"]);
  });
});

describe("reading back what the user applied", () => {
  const before = "one\ntwo\nthree\nfour\n";
  const edits = [
    { start: 0, end: 3, newText: "ONE" },
    { start: 8, end: 13, newText: "3" },
  ];

  it("tells which edits are in the file", () => {
    expect(appliedEdits(before, edits, "ONE\ntwo\n3\nfour\n")).toEqual([true, true]);
    expect(appliedEdits(before, edits, "ONE\ntwo\nthree\nfour\n")).toEqual([true, false]);
    expect(appliedEdits(before, edits, "one\ntwo\n3\nfour\n")).toEqual([false, true]);
    expect(appliedEdits(before, edits, before)).toEqual([false, false]);
  });

  it("says so when the file changed in another way", () => {
    expect(appliedEdits(before, edits, "ONE\ntwo!\n3\nfour\n")).toBeUndefined();
    expect(appliedEdits(before, edits, "ONE\ntwo\n3\nfour\nfive\n")).toBeUndefined();
  });

  it("reports applied, partly applied, skipped and refused changes, for the user and the model", () => {
    const planned: ChangeSetPlan = {
      summary: "s",
      planned: [
        { kind: "edit", shown: "a.js", file: "/w/a.js", baseText: before, edits },
        { kind: "edit", shown: "b.js", file: "/w/b.js", baseText: before, edits },
        { kind: "create", shown: "c.js", file: "/w/c.js", content: "x" },
        { kind: "rename", shown: "d.js", file: "/w/d.js", newShown: "e.js", newFile: "/w/e.js" },
      ],
      refused: [{ kind: "delete", shown: ".env", reason: "private" }],
    };
    const report = reportChangeSet(planned, {
      kind: "reviewed",
      observed: [
        { kind: "edit", textAfter: "ONE\ntwo\n3\nfour\n" },
        { kind: "edit", textAfter: "ONE\ntwo\nthree\nfour\n" },
        { kind: "file", exists: false },
        { kind: "file", exists: false, newExists: true },
      ],
    });
    expect(report.text.split("\n")).toEqual([
      "The user reviewed the proposed changes:",
      "- edit a.js: applied (2 of 2 edits)",
      "- edit b.js: partly applied (1 of 2 edits)",
      "- create c.js: skipped by the user",
      "- rename d.js → e.js: applied",
      "Refused before review:",
      "- delete .env: private",
    ]);
    expect(report.applied).toBe(3);
    expect(report.touchedFiles).toEqual(["/w/a.js", "/w/b.js", "/w/d.js", "/w/e.js"]);
    expect(reportChangeSet(planned, { kind: "discarded" }).text).toMatch(/^The user discarded the proposed changes; nothing was applied\./);
  });
});

it("a read-only file on disk is what the editor reports, not guessed here", async () => {
  // The planner asks the editor (VS Code knows read-only file systems and permissions).
  const file = path.join(workspace, "src", "b.js");
  await chmod(file, 0o444);
  try {
    const planned = await plan(proposal({ kind: "delete", path: "src/b.js" }));
    expect(planned.refused).toEqual([]);
  } finally {
    await chmod(file, 0o644);
  }
});
