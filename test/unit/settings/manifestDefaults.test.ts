// package.json's setting defaults against the defaults the code uses when a setting has no value
// (issue 24): a default changed in one place only makes the product differ from what tests assume.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { settingsOf } from "../../fixtures/manifestSettings.js";
import { defaultsBothWays } from "../../fixtures/settingsDefaults.js";

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscode);

const properties = settingsOf(JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")));

describe("setting defaults", () => {
  it("the manifest's defaults are the ones the code uses", () => {
    const { code, manifest: declared } = defaultsBothWays((key) => properties[`deepseekLocal.${key}`]?.default);
    expect(declared).toEqual(code);
  });

  it("a default changed in the manifest alone is caught (the control case)", () => {
    const { code, manifest: declared } = defaultsBothWays((key) =>
      key === "completion.maxLines" ? 3 : properties[`deepseekLocal.${key}`]?.default,
    );
    expect(declared).not.toEqual(code);
  });
});
