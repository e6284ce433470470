import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { followLog, type LogFollower } from "../../../src/supervisor/logFollower.js";

const until = async (what: () => boolean) => {
  for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(what()).toBe(true);
};

describe("followLog", () => {
  let dir: string;
  let file: string;
  let follower: LogFollower | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "dsl-log-"));
    file = path.join(dir, "engine.log");
  });
  afterEach(() => {
    follower?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("passes on whole lines written from now on, not what was there before", async () => {
    writeFileSync(file, "before the window came\n");
    const seen: string[] = [];
    follower = followLog(file, (text) => seen.push(text), 10);
    appendFileSync(file, "load: model ready\nsecond line\nhalf a li");
    await until(() => seen.length === 1);
    expect(seen).toEqual(["load: model ready\nsecond line"]);
    appendFileSync(file, "ne\n");
    await until(() => seen.length === 2);
    expect(seen[1]).toBe("half a line");
  });

  it("keeps a character split across reads whole", async () => {
    writeFileSync(file, "");
    const seen: string[] = [];
    follower = followLog(file, (text) => seen.push(text), 10);
    const bytes = Buffer.from("思维\n", "utf8");
    appendFileSync(file, bytes.subarray(0, 4));
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(file, bytes.subarray(4));
    await until(() => seen.length === 1);
    expect(seen).toEqual(["思维"]);
  });

  it("starts over when a new engine truncates the log, and flush gives the unfinished line", async () => {
    writeFileSync(file, "an old engine's long output\n".repeat(10));
    const seen: string[] = [];
    follower = followLog(file, (text) => seen.push(text), 10);
    writeFileSync(file, "new engine\nGGML_ASSERT failed");
    await until(() => seen.length === 1);
    expect(seen).toEqual(["new engine"]);
    follower.flush();
    expect(seen).toEqual(["new engine", "GGML_ASSERT failed"]);
  });

  it("reads nothing after stop, and waits for a log that does not exist yet", async () => {
    const seen: string[] = [];
    follower = followLog(file, (text) => seen.push(text), 10);
    await new Promise((r) => setTimeout(r, 30));
    writeFileSync(file, "first\n");
    await until(() => seen.length === 1);
    follower.stop();
    appendFileSync(file, "after stop\n");
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(["first"]);
  });
});
