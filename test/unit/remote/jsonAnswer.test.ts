import { describe, expect, it } from "vitest";
import { checkJsonAnswer, extractJsonText, schemaInstruction } from "../../../src/core/remote/jsonAnswer.js";

const schema = {
  type: "object",
  properties: { name: { type: "string", maxLength: 20 }, count: { type: "integer" } },
  required: ["name"],
  additionalProperties: false,
};

describe("JSON answers", () => {
  it("accepts a matching answer, fenced or not", () => {
    expect(checkJsonAnswer('{"name":"x","count":2}', schema)).toMatchObject({ ok: true, value: { name: "x", count: 2 } });
    expect(checkJsonAnswer('```json\n{"name":"x"}\n```', schema)).toMatchObject({ ok: true, text: '{"name":"x"}' });
    expect(extractJsonText('  ```\n[1]\n```  ')).toBe("[1]");
  });
  it("rejects prose and schema violations with a reason", () => {
    const prose = checkJsonAnswer("Sure! Here is the answer.", schema);
    expect(prose).toMatchObject({ ok: false });
    expect(!prose.ok && prose.reason).toMatch(/not valid JSON/);
    const wrong = checkJsonAnswer('{"count":"two"}', schema);
    expect(!wrong.ok && wrong.reason).toMatch(/must be integer/);
  });
  it("writes the schema into the instruction for json_object servers", () => {
    expect(schemaInstruction(schema)).toContain(JSON.stringify(schema));
    expect(schemaInstruction(schema)).toMatch(/JSON/);
  });
});
