import { describe, expect, it } from "vitest";
import { mergeCommandTables } from "../../src/vscode/commandTable.js";

describe("mergeCommandTables", () => {
  it("keeps every part's handlers, and refuses an id that two parts name", () => {
    const first = () => 1;
    const second = () => 2;
    const table = mergeCommandTables({ "deepseekLocal.a": first }, { "deepseekLocal.b": second });
    expect(table).toEqual({ "deepseekLocal.a": first, "deepseekLocal.b": second });
    expect(() => mergeCommandTables({ "deepseekLocal.a": first }, { "deepseekLocal.a": second })).toThrow(/deepseekLocal\.a is in the command table twice/);
  });
});
