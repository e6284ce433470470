import { describe, expect, it } from "vitest";
import { isUserOnlySetting, readSetting, userOnlyValue, type SettingInspection } from "../../../src/core/settings/userOnlySettings.js";

describe("userOnlyValue", () => {
  it("takes the user's value, else the default, never the workspace's or folder's", () => {
    expect(userOnlyValue({ defaultValue: "", globalValue: "mine", workspaceValue: "theirs" })).toEqual({ value: "mine", ignored: true });
    expect(userOnlyValue({ defaultValue: "", workspaceFolderValue: "theirs" })).toEqual({ value: "", ignored: true });
    expect(userOnlyValue({ defaultValue: {}, workspaceLanguageValue: { a: 1 } })).toEqual({ value: {}, ignored: true });
    expect(userOnlyValue(undefined)).toEqual({ value: undefined, ignored: false });
  });

  it("does not report a workspace value equal to the one used", () => {
    expect(userOnlyValue({ defaultValue: "local", globalValue: "remote", workspaceValue: "remote" })).toEqual({ value: "remote", ignored: false });
    expect(userOnlyValue({ defaultValue: {}, workspaceValue: {} }).ignored).toBe(false);
  });
});

describe("readSetting", () => {
  const values: Record<string, SettingInspection & { merged: unknown }> = {
    "remote.baseUrl": { defaultValue: "", globalValue: "https://mine", workspaceValue: "https://theirs", merged: "https://theirs" },
    "completion.maxLines": { defaultValue: 8, workspaceValue: 4, merged: 4 },
  };
  const source = { get: (key: string) => values[key]?.merged, inspect: (key: string) => values[key] };

  it("reads user-only settings through inspect and reports the ignored key", () => {
    const ignored: string[] = [];
    expect(readSetting(source, "remote.baseUrl", (key) => ignored.push(key))).toBe("https://mine");
    expect(ignored).toEqual(["remote.baseUrl"]);
  });

  it("reads other settings merged, workspace included", () => {
    expect(readSetting(source, "completion.maxLines")).toBe(4);
    expect(isUserOnlySetting("completion.maxLines")).toBe(false);
    expect(isUserOnlySetting("remote.headers")).toBe(true);
  });
});
