import { describe, expect, it } from "vitest";
import { checkDocumentVersion, checkEditTarget, isInsideWorkspace, type EditTargetFacts } from "../../../src/core/refactor/editSafety.js";

const folders = ["/work/project", "/home/me/other"];
const file = (fsPath: string, extra: Partial<EditTargetFacts> = {}): EditTargetFacts => ({
  uri: `file://${fsPath}`,
  fsPath,
  isUntitled: false,
  isReadOnly: false,
  picked: false,
  ...extra,
});
const code = (fn: () => void) => {
  try {
    fn();
    return "applied";
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe("refusal rules", () => {
  it("refuses a stale document version and accepts the one the model saw", () => {
    expect(code(() => checkDocumentVersion(3, 4, "src/a.ts"))).toBe("staleDocument");
    expect(() => checkDocumentVersion(3, 4, "src/a.ts")).toThrow(/src\/a\.ts changed while the model was answering/);
    expect(code(() => checkDocumentVersion(3, 3, "src/a.ts"))).toBe("applied");
  });

  it("refuses files outside the workspace, including through ..", () => {
    expect(code(() => checkEditTarget(file("/work/project/src/a.ts"), folders))).toBe("applied");
    expect(code(() => checkEditTarget(file("/work/project-evil/a.ts"), folders))).toBe("outsideWorkspace");
    expect(code(() => checkEditTarget(file("/work/project/../secrets/a.ts"), folders))).toBe("outsideWorkspace");
    expect(code(() => checkEditTarget(file("/etc/passwd", { picked: true }), folders))).toBe("outsideWorkspace");
    expect(code(() => checkEditTarget(file("/work/project/a.ts"), []))).toBe("outsideWorkspace");
    expect(code(() => checkEditTarget({ uri: "vscode-vfs://github/x/a.ts", isUntitled: false, isReadOnly: false, picked: true }, folders))).toBe(
      "outsideWorkspace",
    );
  });

  it("refuses read-only files, and untitled documents the user did not pick", () => {
    expect(code(() => checkEditTarget(file("/work/project/a.ts", { isReadOnly: true, picked: true }), folders))).toBe("readOnlyTarget");
    const untitled = { uri: "untitled:Untitled-1", isUntitled: true, isReadOnly: false };
    expect(code(() => checkEditTarget({ ...untitled, picked: true }, folders))).toBe("applied");
    expect(code(() => checkEditTarget({ ...untitled, picked: false }, folders))).toBe("untitledTarget");
  });

  it("compares Windows paths without regard to case", () => {
    expect(isInsideWorkspace("C:\\Users\\Me\\Proj\\src\\a.ts", ["c:\\users\\me\\proj"])).toBe(true);
    expect(isInsideWorkspace("C:\\Users\\Me\\Project2\\a.ts", ["c:\\users\\me\\proj"])).toBe(false);
    expect(isInsideWorkspace("/work/project/..data/a.ts", ["/work/project"])).toBe(true);
  });
});
