import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolError, WorkspaceTools, defaultToolLimits, nodeToolFileSystem, type ToolFileSystem } from "../../../src/core/chat/workspaceTools.js";

let base: string;
let workspace: string;
let outside: string;
let tools: WorkspaceTools;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "chat-tools-"));
  workspace = path.join(base, "workspace");
  outside = path.join(base, "secret");
  await mkdir(path.join(workspace, "src", "deep"), { recursive: true });
  await mkdir(path.join(workspace, "node_modules", "pkg"), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(workspace, "src", "a.ts"), "export const answer = 42;\n// TODO: more\n");
  await writeFile(path.join(workspace, "src", "deep", "b.py"), "def todo():\n    pass  # todo later\n");
  await writeFile(path.join(workspace, "node_modules", "pkg", "index.js"), "// TODO vendored\n");
  await writeFile(path.join(workspace, "big.txt"), "x".repeat(defaultToolLimits.maxFileBytes + 500));
  await writeFile(path.join(workspace, "blob.bin"), Buffer.from([1, 2, 0, 3]));
  await writeFile(path.join(outside, "key.txt"), "TODO secret key");
  await symlink(path.join(outside, "key.txt"), path.join(workspace, "link-to-secret.txt"));
  await symlink(outside, path.join(workspace, "linked-folder"));
  await symlink(path.join(workspace, "src", "a.ts"), path.join(workspace, "inner-link.ts"));
  tools = new WorkspaceTools([workspace]);
});

afterAll(() => rm(base, { recursive: true, force: true }));

const call = (name: string, args: unknown) => tools.run({ id: "1", name, arguments: JSON.stringify(args) });

describe("workspace tool confinement", () => {
  it("reads files by relative path, and by absolute path inside the workspace", async () => {
    expect(await tools.readFile("src/a.ts")).toContain("answer = 42");
    expect(await tools.readFile(path.join(workspace, "src", "a.ts"))).toContain("answer = 42");
    expect(await tools.readFile("./src/../src/a.ts")).toContain("answer = 42");
  });

  it("refuses ../ escapes", async () => {
    await expect(tools.readFile("../secret/key.txt")).rejects.toThrow(ToolError);
    await expect(tools.readFile("src/../../secret/key.txt")).rejects.toThrow(/outside the workspace/);
  });

  it("refuses absolute paths outside the workspace", async () => {
    await expect(tools.readFile(path.join(outside, "key.txt"))).rejects.toThrow(/outside the workspace/);
    await expect(tools.readFile("/etc/passwd")).rejects.toThrow(/outside the workspace/);
  });

  it("refuses a sibling folder whose name starts like the workspace's", async () => {
    await mkdir(`${workspace}-evil`, { recursive: true });
    await writeFile(path.join(`${workspace}-evil`, "x.txt"), "x");
    await expect(tools.readFile(`${workspace}-evil/x.txt`)).rejects.toThrow(/outside the workspace/);
  });

  it("refuses symlinks that lead out of the workspace, follows those that stay in", async () => {
    await expect(tools.readFile("link-to-secret.txt")).rejects.toThrow(/symbolic link/);
    await expect(tools.readFile("linked-folder/key.txt")).rejects.toThrow(/symbolic link/);
    await expect(tools.listFolder("linked-folder")).rejects.toThrow(/symbolic link/);
    expect(await tools.readFile("inner-link.ts")).toContain("answer = 42");
  });

  it("refuses NUL bytes, empty paths, missing files and binary files", async () => {
    await expect(tools.readFile("src/a.ts\0.png")).rejects.toThrow(ToolError);
    await expect(tools.readFile("")).rejects.toThrow(ToolError);
    await expect(tools.readFile("nope.ts")).rejects.toThrow(/does not exist/);
    await expect(tools.readFile("blob.bin")).rejects.toThrow(/binary/);
  });

  it("caps what a file read returns", async () => {
    const text = await tools.readFile("big.txt");
    expect(text).toContain("truncated");
    expect(text.length).toBeLessThan(defaultToolLimits.maxFileBytes + 200);
  });

  it("lists folders with a slash after sub-folders", async () => {
    expect((await tools.listFolder(".")).split("\n")).toEqual(expect.arrayContaining(["src/", "big.txt", "node_modules/"]));
    await expect(tools.listFolder("src/a.ts")).rejects.toThrow(/not a folder/);
  });

  it("searches text without entering vendored folders or following links out", async () => {
    const result = await tools.searchText("todo");
    expect(result).toContain("src/a.ts:2:");
    expect(result).toContain("src/deep/b.py:1:");
    expect(result).not.toContain("node_modules");
    expect(result).not.toContain("secret");
  });

  it("turns a tool call into a result for the model, errors included", async () => {
    expect(await call("read_file", { path: "src/a.ts" })).toEqual({ ok: true, content: expect.stringContaining("answer") });
    expect(await call("read_file", { path: "../secret/key.txt" })).toEqual({ ok: false, content: expect.stringMatching(/outside/) });
    expect((await call("read_file", { file: "a" })).ok).toBe(false);
    expect((await call("delete_file", { path: "a" })).ok).toBe(false);
    expect((await tools.run({ id: "1", name: "read_file", arguments: "{" })).ok).toBe(false);
  });

  it("refuses everything when no folder is open", async () => {
    await expect(new WorkspaceTools([]).readFile("a.ts")).rejects.toThrow(/No folder/);
  });
});

describe("workspace tools: secrets, reads, names (issue 19)", () => {
  let root: string;
  let app: string;
  let lib: string;
  const awsKey = "AKIAIOSFODNN7EXAMPLE";
  const token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "chat-tools-19-"));
    app = path.join(root, "app");
    lib = path.join(root, "lib");
    await mkdir(path.join(app, ".git"), { recursive: true });
    await mkdir(path.join(app, "src"), { recursive: true });
    await mkdir(path.join(lib, "src"), { recursive: true });
    await writeFile(path.join(app, ".env"), `AWS_ACCESS_KEY_ID=${awsKey}\nDB_PASSWORD=hunter2-needle\n`);
    await writeFile(path.join(app, ".git", "config"), `[remote "origin"]\n\turl = https://me:${token}@github.com/me/app.git\n`);
    await writeFile(path.join(app, "server.pem"), "-----BEGIN PRIVATE KEY-----\nMIIEvQ needle\n-----END PRIVATE KEY-----\n");
    await writeFile(path.join(app, "src", "s3.ts"), `// needle\nconst key = "${awsKey}";\nexport const region = "eu";\n`);
    await writeFile(path.join(app, "..notes.md"), "notes with a needle\n");
    await symlink(path.join(app, ".env"), path.join(app, "settings.txt"));
    await writeFile(path.join(lib, "src", "util.ts"), "export const needle = 1;\n");
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("reads a name that starts with two dots: it is inside the workspace", async () => {
    expect(await new WorkspaceTools([app]).readFile("..notes.md")).toContain("notes with a needle");
  });

  it("refuses secret files, directly or through a link, saying they are private", async () => {
    const tools = new WorkspaceTools([app]);
    for (const file of [".env", ".git/config", "server.pem", "settings.txt", path.join(app, ".env")]) {
      const result = await tools.run({ id: "1", name: "read_file", arguments: JSON.stringify({ path: file }) });
      expect(result.ok, file).toBe(false);
      expect(result.content, file).toMatch(/is private/);
      expect(result.content).not.toContain(awsKey);
      expect(result.content).not.toContain(token);
    }
    await expect(tools.listFolder(".git")).rejects.toThrow(/private/);
    const listing = await tools.listFolder(".");
    expect(listing).toContain(".env (private: not readable)");
    expect(listing).toContain("src/");
  });

  it("search skips secret files and redacts secrets elsewhere", async () => {
    const result = await new WorkspaceTools([app]).searchText("needle");
    expect(result).toContain("src/s3.ts:1:");
    expect(result).not.toMatch(/\.env|server\.pem|\.git/);
    expect(result).not.toContain("hunter2");
    const keyLine = await new WorkspaceTools([app]).searchText("const key");
    expect(keyLine).toContain("src/s3.ts:2:");
    expect(keyLine).not.toContain(awsKey);
    expect(await new WorkspaceTools([app]).readFile("src/s3.ts")).not.toContain(awsKey);
  });

  it("reads secret files when the user opted in", async () => {
    const tools = new WorkspaceTools([app], undefined, undefined, { allowSecretFiles: true, excludeGlobs: [] });
    expect(await tools.readFile(".env")).toContain("DB_PASSWORD");
  });

  it("refuses files hidden by files.exclude", async () => {
    const tools = new WorkspaceTools([app], undefined, undefined, { allowSecretFiles: false, excludeGlobs: ["**/src"] });
    await expect(tools.readFile("src/s3.ts")).rejects.toThrow(/private/);
    expect(await tools.searchText("needle")).not.toContain("s3.ts");
  });

  it("reads only the bytes it returns", async () => {
    const big = path.join(app, "big.log");
    await writeFile(big, "line of a long log\n".repeat(200_000));
    let bytesRead = 0;
    const counting = {
      ...nodeToolFileSystem,
      readHead: async (target: string, max: number) => {
        const bytes = await nodeToolFileSystem.readHead(target, max);
        bytesRead += bytes.length;
        return bytes;
      },
      readFile: async (target: string) => {
        const bytes = await readFile(target);
        bytesRead += bytes.length;
        return bytes;
      },
    } as ToolFileSystem;
    const text = await new WorkspaceTools([app], counting).readFile("big.log");
    expect(text).toContain("truncated: 3800000 bytes");
    expect(bytesRead).toBeLessThanOrEqual(defaultToolLimits.maxFileBytes);
  });

  it("with several folders, search reports paths that read_file resolves", async () => {
    const tools = new WorkspaceTools([app, lib]);
    const found = await tools.searchText("export const needle");
    expect(found).toContain("lib/src/util.ts:1:");
    const reported = found.split("\n")[0]!.split(":")[0]!;
    expect(await tools.readFile(reported)).toContain("export const needle");
    expect(await tools.readFile("app/src/s3.ts")).toContain("region");
    expect((await tools.listFolder(".")).split("\n")).toEqual(["app/", "lib/"]);
    expect(await tools.listFolder("./")).toBe("app/\nlib/");
    expect(await tools.listFolder("lib/src")).toBe("util.ts");
  });
});

describe("workspace tools: files git ignores (issue 19, item 7)", () => {
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(path.join(os.tmpdir(), "chat-tools-gitignore-"));
    await mkdir(path.join(project, "local"), { recursive: true });
    await mkdir(path.join(project, "src"), { recursive: true });
    await writeFile(path.join(project, ".gitignore"), "local/\n*.local.json\n");
    await writeFile(path.join(project, "src", ".gitignore"), "gen.ts\n");
    await writeFile(path.join(project, "local", "notes.txt"), "needle in a local note\n");
    await writeFile(path.join(project, "config.local.json"), '{ "needle": "db-password" }\n');
    await writeFile(path.join(project, "src", "gen.ts"), "export const needle = 'generated';\n");
    await writeFile(path.join(project, "src", "main.ts"), "export const needle = 'main';\n");
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  it("refuses them, marks them in listings and leaves them out of search, read from disk by default", async () => {
    const tools = new WorkspaceTools([project]);
    for (const file of ["config.local.json", "src/gen.ts", "local/notes.txt", "local"]) {
      await expect(tools.readFile(file)).rejects.toThrow(/is private \(a file git ignores/);
    }
    const listing = await tools.listFolder(".");
    expect(listing).toContain("local/ (private: not readable)");
    expect(listing).toContain("config.local.json (private: not readable)");
    expect(listing).toMatch(/^src\/$/m);
    expect(await tools.listFolder("src")).toContain("gen.ts (private: not readable)");
    const found = await tools.searchText("needle");
    expect(found).toContain("src/main.ts");
    expect(found).not.toMatch(/gen\.ts|local/);
  });

  it("reads them when the user opted in", async () => {
    const tools = new WorkspaceTools([project], undefined, undefined, { allowSecretFiles: true, excludeGlobs: [] });
    expect(await tools.readFile("config.local.json")).toContain("db-password");
    expect(await tools.searchText("needle")).toContain("src/gen.ts");
  });

  it("asks the rules it is handed (the editor's cached ones) instead of reading its own", async () => {
    const asked: string[] = [];
    const ignoredFiles = { isIgnored: (_root: string, relative: string) => (asked.push(relative), relative === "src/main.ts") };
    const tools = new WorkspaceTools([project], undefined, undefined, { allowSecretFiles: false, excludeGlobs: [], ignoredFiles });
    await expect(tools.readFile("src/main.ts")).rejects.toThrow(/git ignores/);
    expect(await tools.readFile("config.local.json")).toContain("db-password");
    expect(asked).toContain("config.local.json");
  });
});
