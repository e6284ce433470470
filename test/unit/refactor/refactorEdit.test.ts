// RefactorPlan → WorkspaceEdit at the editor edge: the refusal rules must run on the picked document
// before anything else, and again on every file the language's rename provider touches (issue 24).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { PlainEdit, RefactorPlan } from "../../../src/core/refactor/refactorTarget.js";
import { FakeDocument, Position, Range, Uri, WorkspaceEdit, fake, vscode as fakeVscodeModule } from "../../fixtures/fakeVscode.js";

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

/** The (uri, text) of each replacement of a built edit. */
const texts = (edit: vscode.WorkspaceEdit | undefined) => (edit as unknown as WorkspaceEdit | undefined)?.replacements.map((r) => [r.uri.toString(), r.text]);

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

// The cases mutation testing found untested (issue 24): what the preview shows, which files count as
// writable or inside the workspace, a rename provider that gives nothing or fails, colliding edits.
afterEach(() => vi.restoreAllMocks());

describe("the preview", () => {
  it("puts every change in the refactor preview, labelled with the action's title and the model's reason", async () => {
    renameTouching(Uri.file("/w/src/b.ts"));
    const edit = (await build(planFor(document, { edits: [{ start: 0, end: 5, newText: "let" }] }), document)) as unknown as WorkspaceEdit;
    expect(edit.replacements).toHaveLength(2);
    for (const replacement of edit.replacements) {
      expect(replacement.metadata).toEqual({ needsConfirmation: true, label: "Rename total", description: "A clearer name." });
    }
  });

  it("gives nothing to preview when the plan changes nothing", async () => {
    expect(await build(planFor(document, { renames: [] }), document)).toBeUndefined();
  });

  it("applies edits given in any order when they do not overlap", async () => {
    const edits: PlainEdit[] = [
      { start: 17, end: 24, newText: "print" },
      { start: 0, end: 5, newText: "let" },
    ];
    expect(texts(await build(planFor(document, { edits, renames: [] }), document))).toEqual([
      ["file:///w/src/a.ts", "print"],
      ["file:///w/src/a.ts", "let"],
    ]);
  });

  it("applies an insertion right before a replacement at the same place, in either order", async () => {
    const replace = { start: 6, end: 11, newText: "sum" };
    const insert = { start: 6, end: 6, newText: "/* renamed */ " };
    for (const edits of [[replace, insert], [insert, replace]]) {
      expect(texts(await build(planFor(document, { edits, renames: [] }), document))).toHaveLength(2);
    }
  });

  it("refuses renames that collide with another edit of the same file", async () => {
    const plan = planFor(document, { edits: [{ start: 6, end: 16, newText: "count = 2;" }] });
    await expect(build(plan, document)).rejects.toMatchObject({ code: "overlappingEdits", message: expect.stringContaining("src/a.ts") });
  });
});

describe("the language's rename provider", () => {
  it("falls back to the plan's own edits when the provider's edit is empty", async () => {
    fake.renameProvider = () => new WorkspaceEdit();
    expect(texts(await build(planFor(document), document))).toEqual([["file:///w/src/a.ts", "sum"]]);
  });

  it("falls back to the plan's own edits when the provider fails", async () => {
    fake.renameProvider = () => {
      throw new Error("rename provider crashed");
    };
    expect(texts(await build(planFor(document), document))).toEqual([["file:///w/src/a.ts", "sum"]]);
  });

  it("may create a file that does not exist yet inside the workspace", async () => {
    vi.spyOn(fakeVscodeModule.workspace.fs, "stat").mockImplementation(async (uri: Uri) => {
      if (uri.fsPath === "/w/src/new.ts") throw new Error("ENOENT");
      return { type: 1, ctime: 0, mtime: 0, size: 0, permissions: undefined };
    });
    renameTouching(Uri.file("/w/src/new.ts"));
    expect(texts(await build(planFor(document), document))).toEqual([["file:///w/src/new.ts", "sum"]]);
  });
});

describe("which files may change", () => {
  it("refuses a document on a read-only file system", async () => {
    fake.readonlySchemes.add("file");
    await expect(build(planFor(document), document)).rejects.toMatchObject({ code: "readOnlyTarget" });
  });

  it("edits the unsaved document the user ran the action on", async () => {
    const untitled = new FakeDocument(Uri.from({ scheme: "untitled", path: "Untitled-1" }), source, "typescript");
    expect(texts(await build(planFor(untitled), untitled))).toEqual([["untitled://Untitled-1", "sum"]]);
  });

  it("refuses a virtual document whose path looks like one inside the workspace", async () => {
    renameTouching(Uri.from({ scheme: "vscode-vfs", path: "/w/src/b.ts" }));
    await expect(build(planFor(document), document)).rejects.toMatchObject({ code: "outsideWorkspace" });
  });

  it("counts only workspace folders on disk: a virtual folder with the same path does not admit a file", async () => {
    fake.workspaceFolders = [];
    vi.spyOn(fakeVscodeModule.workspace, "workspaceFolders", "get").mockReturnValue([
      { uri: Uri.from({ scheme: "vscode-vfs", path: "/w" }), name: "w", index: 0 },
    ]);
    await expect(build(planFor(document), document)).rejects.toMatchObject({ code: "outsideWorkspace" });
  });
});
