// RefactorPlan → WorkspaceEdit at the editor edge: the refusal rules must run on the picked document
// before anything else, and again on every file the language's rename provider touches (issue 24).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { RefactorPlan } from "../../../src/core/refactor/refactorTarget.js";
import { FakeDocument, Position, Range, Uri, WorkspaceEdit, fake } from "../../fixtures/fakeVscode.js";

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscode);
const { buildRefactorEdit } = await import("../../../src/vscode/refactor/refactorEdit.js");

const source = "const total = 1;\nconsole.log(total);\n";

function planFor(document: FakeDocument, over: Partial<RefactorPlan> = {}): RefactorPlan {
  return {
    actionId: "rename",
    title: "Rename total",
    rationale: "A clearer name.",
    uri: document.uri.toString(),
    version: document.version,
    edits: [],
    renames: [{ from: "total", to: "sum", offset: 6, fallbackEdits: [{ start: 6, end: 11, newText: "sum" }] }],
    ...over,
  };
}

const build = (plan: RefactorPlan, document: FakeDocument) =>
  buildRefactorEdit(plan, document as unknown as vscode.TextDocument, document.uri.fsPath);

/** A rename provider whose edit changes `uri`, counting its calls. */
function renameTouching(uri: Uri, onCall?: () => void) {
  const calls: string[] = [];
  fake.renameProvider = (target, _position, newName) => {
    calls.push(target.toString());
    onCall?.();
    const edit = new WorkspaceEdit();
    edit.replace(uri, new Range(new Position(0, 6), new Position(0, 11)), newName);
    return edit;
  };
  return calls;
}

let document: FakeDocument;

beforeEach(() => {
  fake.reset();
  fake.workspaceFolders = ["/w"];
  document = new FakeDocument(Uri.file("/w/src/a.ts"), source, "typescript");
});

describe("buildRefactorEdit", () => {
  it("builds the edit for a plan on the version the model saw, inside the workspace", async () => {
    const edit = (await build(planFor(document), document)) as unknown as WorkspaceEdit;
    expect(edit.replacements.map((r) => [r.uri.toString(), r.text])).toEqual([["file:///w/src/a.ts", "sum"]]);
  });

  describe("the document version", () => {
    it("refuses a plan for an older version before asking the rename provider", async () => {
      const calls = renameTouching(document.uri);
      document.version = 2;
      await expect(build(planFor(document, { version: 1 }), document)).rejects.toMatchObject({ code: "staleDocument" });
      expect(calls).toEqual([]);
    });

    it("refuses when the document changed while the rename provider ran", async () => {
      renameTouching(document.uri, () => document.version++);
      await expect(build(planFor(document), document)).rejects.toMatchObject({ code: "staleDocument" });
    });
  });

  describe("the files the edit touches", () => {
    it("refuses a document outside the workspace before asking the rename provider", async () => {
      const outside = new FakeDocument(Uri.file("/elsewhere/b.ts"), source, "typescript");
      const calls = renameTouching(Uri.file("/w/src/c.ts"));
      await expect(build(planFor(outside), outside)).rejects.toMatchObject({ code: "outsideWorkspace" });
      expect(calls).toEqual([]);
    });

    it("refuses a read-only picked document even when the rename changes only other files", async () => {
      fake.readonlyFiles.add("/w/src/a.ts");
      renameTouching(Uri.file("/w/src/c.ts"));
      await expect(build(planFor(document), document)).rejects.toMatchObject({ code: "readOnlyTarget" });
    });

    it("refuses a rename that reaches a file outside the workspace", async () => {
      renameTouching(Uri.file("/elsewhere/c.ts"));
      await expect(build(planFor(document), document)).rejects.toMatchObject({ code: "outsideWorkspace" });
    });

    it("refuses a rename that reaches an unsaved document the user did not pick", async () => {
      renameTouching(Uri.from({ scheme: "untitled", path: "Untitled-1" }));
      await expect(build(planFor(document), document)).rejects.toMatchObject({ code: "untitledTarget" });
    });
  });
});
