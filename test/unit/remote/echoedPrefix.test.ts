import { describe, expect, it } from "vitest";
import { EchoedPrefixStripper } from "../../../src/core/remote/echoedPrefix.js";

const run = (prefix: string, chunks: string[]) => {
  const stripper = new EchoedPrefixStripper(prefix);
  return chunks.map((chunk) => stripper.push(chunk));
};

describe("EchoedPrefixStripper", () => {
  it("drops a repeated prefix, however it is split", () => {
    expect(run("```py\n", ["``", "`py", "\nprint", "(1)"])).toEqual(["", "", "print", "(1)"]);
    expect(run("```py\n", ["```py\nx"])).toEqual(["x"]);
  });
  it("passes an answer that does not repeat the prefix through untouched", () => {
    expect(run("```py\n", ["print", "(1)"])).toEqual(["print", "(1)"]);
    expect(run("```py\n", ["``", "x"])).toEqual(["", "``x"]);
  });
  it("does nothing without a prefix", () => {
    expect(run("", ["a", "b"])).toEqual(["a", "b"]);
  });
});
