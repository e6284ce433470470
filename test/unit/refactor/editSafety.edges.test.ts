// The refusal rules at the edges mutation testing found untested (issue 24): which paths count as
// inside a workspace folder, and what a refusal tells the user.
import { describe, expect, it } from "vitest";
import { checkEditTarget, isInsideWorkspace } from "../../../src/core/refactor/editSafety.js";

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("not refused");
};

describe("isInsideWorkspace", () => {
  it("is case-sensitive for POSIX paths: /work/Project is another folder than /work/project", () => {
    expect(isInsideWorkspace("/work/Project/a.ts", ["/work/project"])).toBe(false);
    expect(isInsideWorkspace("/work/project/a.ts", ["/work/Project"])).toBe(false);
  });

  it("treats a folder named like a drive (s:) inside a POSIX folder as an ordinary folder", () => {
    expect(isInsideWorkspace("/work/project/s:/a.ts", ["/work/project"])).toBe(true);
  });

  it("handles Windows network (UNC) paths, without regard to case", () => {
    expect(isInsideWorkspace("\\\\server\\share\\Proj\\a.ts", ["\\\\SERVER\\share\\proj"])).toBe(true);
    expect(isInsideWorkspace("\\\\server\\share\\other\\a.ts", ["\\\\server\\share\\proj"])).toBe(false);
  });

  it("counts the folder itself as inside, and its parent as outside", () => {
    expect(isInsideWorkspace("/work/project", ["/work/project"])).toBe(true);
    expect(isInsideWorkspace("/work", ["/work/project"])).toBe(false);
    expect(isInsideWorkspace("C:\\work", ["C:\\work\\project"])).toBe(false);
  });

  it("never matches a Windows path against a POSIX folder or the other way round", () => {
    expect(isInsideWorkspace("C:\\w\\a.ts", ["/w"])).toBe(false);
    expect(isInsideWorkspace("/w/a.ts", ["C:\\w"])).toBe(false);
  });
});

describe("refusal messages", () => {
  const facts = { isUntitled: false, isReadOnly: false, picked: false };

  it("name the file by its path, say why, and say that nothing was applied", () => {
    const readOnly = refusal(() => checkEditTarget({ ...facts, uri: "file:///w/a.ts", fsPath: "/w/a.ts", isReadOnly: true }, ["/w"]));
    expect(readOnly).toBe("/w/a.ts is read-only; nothing was applied.");
    const outside = refusal(() => checkEditTarget({ ...facts, uri: "file:///etc/hosts", fsPath: "/etc/hosts" }, ["/w"]));
    expect(outside).toMatch(/^\/etc\/hosts is outside the workspace folders; .*Nothing was applied\.$/);
  });

  it("name a document without a path by its URI", () => {
    const untitled = refusal(() => checkEditTarget({ ...facts, uri: "untitled:Untitled-2", isUntitled: true }, ["/w"]));
    expect(untitled).toBe("The edit would change the unsaved document untitled:Untitled-2, which you did not pick; nothing was applied.");
    const virtual = refusal(() => checkEditTarget({ ...facts, uri: "vscode-vfs://github/x/a.ts" }, ["/w"]));
    expect(virtual).toMatch(/^vscode-vfs:\/\/github\/x\/a\.ts is outside the workspace folders/);
  });
});
