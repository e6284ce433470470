import { describe, expect, it } from "vitest";
import { SchemaForcedText } from "../../src/core/json/schemaForcedText";
import type { JsonSchema } from "../../src/core/json/validateJson";
import { answerSchema, answerShapeNames } from "../../src/core/refactor/answerShapes";
import { toolStepSchema } from "../../src/core/chat/toolStep";
import { defaultProposalLimits, editProposalSchema } from "../../src/core/agent/editProposal";

const text = (maxLength: number, minLength = 0): JsonSchema => ({ type: "string", maxLength, ...(minLength ? { minLength } : {}) });
const object = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: "object",
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const insertions = object({ rationale: text(20), insertions: { type: "array", maxItems: 2, items: object({ anchor: text(5, 1), text: text(10) }) } });

function tracker(schema: JsonSchema): SchemaForcedText {
  const t = SchemaForcedText.for(schema);
  if (!t) throw new Error("schema not followed");
  return t;
}

describe("SchemaForcedText", () => {
  it("forces the opening of an answer up to the first string's content", () => {
    expect(tracker(insertions).forced()).toBe('{"rationale":"');
  });

  it("forces the next key after a closed string, and stops where the model chooses", () => {
    const t = tracker(insertions);
    t.push('{"rationale":"Adds a check');
    expect(t.forced()).toBe(""); // the string may go on or close
    t.push('"');
    expect(t.forced()).toBe(',"insertions":['); // then: an item or the end of the list
    t.push(',"insertions":[{');
    expect(t.forced()).toBe('"anchor":"');
  });

  it("closes a string at its maxLength and a list at its maxItems", () => {
    const t = tracker(insertions);
    t.push('{"rationale":"' + "x".repeat(20));
    expect(t.forced()).toBe('","insertions":[');
    t.push('","insertions":[{"anchor":"a","text":"b"},{"anchor":"c","text":"0123456789');
    expect(t.forced()).toBe('"}]}');
    t.push('"}]}');
    expect(t.complete).toBe(true);
    expect(t.forced()).toBe("");
  });

  it("counts an escape sequence as one character, as the grammar does", () => {
    const t = tracker(object({ s: text(3) }));
    t.push('{"s":"\\n\\u00e9');
    expect(t.forced()).toBe("");
    t.push("a");
    expect(t.forced()).toBe('"}');
  });

  it("does not force a string closed before its minLength", () => {
    const t = tracker(object({ name: text(64, 1) }));
    t.push('{"name":"');
    expect(t.forced()).toBe("");
    t.push("n");
    expect(t.forced()).toBe("");
  });

  it("follows the optional whitespace the model writes between fields", () => {
    const t = tracker(insertions);
    t.push('{\n    "rationale": "ok",\n    "insertions": [\n        ');
    expect(t.forced()).toBe("");
    t.push("{\n            ");
    expect(t.forced()).toBe('"anchor":"');
  });

  it("forces items while a list is below its minItems", () => {
    const t = tracker({ type: "array", minItems: 2, maxItems: 3, items: object({ ok: { type: "boolean" } }) });
    expect(t.forced()).toBe('[{"ok":');
    t.push('[{"ok":true');
    expect(t.forced()).toBe('},{"ok":');
    t.push('},{"ok":false}');
    expect(t.forced()).toBe("");
  });

  it("forces nothing after text the schema does not allow", () => {
    const t = tracker(insertions);
    t.push('{"other":');
    expect(t.forced()).toBe("");
    expect(t.complete).toBe(false);
  });

  it("declines schemas outside the subset it follows", () => {
    expect(SchemaForcedText.for({ type: "number" })).toBeUndefined();
    expect(SchemaForcedText.for({ type: "string", enum: ["a", "b"] })).toBeUndefined();
    expect(SchemaForcedText.for({ type: "object", properties: { a: text(3) }, required: [], additionalProperties: false })).toBeUndefined();
    expect(SchemaForcedText.for({ type: "object", properties: { a: text(3) }, required: ["a"] })).toBeUndefined();
    expect(SchemaForcedText.for({ type: "string", pattern: "^a" })).toBeUndefined();
  });

  it("follows every built-in answer shape", () => {
    for (const shape of answerShapeNames) {
      expect(SchemaForcedText.for(answerSchema(shape, { maxItems: 4, maxTextLength: 400 }, 200)), shape).toBeDefined();
    }
  });

  it("never forces text that differs from a valid compact answer (random answers of every shape)", () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const alphabet = ['a', 'Z', ' ', '"', "\\", "\n", "é", "{", "]", "😀", "\t", ","];
    const value = (schema: JsonSchema): unknown => {
      switch (schema.type) {
        case "object":
          return Object.fromEntries(Object.entries(schema.properties as Record<string, JsonSchema>).map(([k, v]) => [k, value(v)]));
        case "array":
          return Array.from({ length: Math.floor(random() * (Number(schema.maxItems) + 1)) }, () => value(schema.items as JsonSchema));
        case "string": {
          const min = Number(schema.minLength ?? 0);
          // Often exactly at the bound, where the closing quote is forced.
          const length = random() < 0.5 ? Number(schema.maxLength) : min + Math.floor(random() * (Number(schema.maxLength) - min + 1));
          return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
        }
        default:
          throw new Error(`unexpected ${String(schema.type)}`);
      }
    };
    let forcedCharacters = 0;
    let total = 0;
    for (const shape of answerShapeNames) {
      const schema = answerSchema(shape, { maxItems: 3, maxTextLength: 40 }, 30);
      for (let run = 0; run < 20; run++) {
        // Characters, not code units: JSON.stringify keeps 😀 as one character, the grammar counts it once.
        const answer = JSON.stringify(value(schema));
        const t = tracker(schema);
        const characters = [...answer];
        for (let i = 0; i < characters.length; ) {
          const forced = t.forced();
          const rest = characters.slice(i).join("");
          expect(rest.startsWith(forced), `${shape}: forced ${JSON.stringify(forced)} at ${JSON.stringify(rest.slice(0, 40))}`).toBe(true);
          const take = forced ? [...forced].length : 1;
          t.push(characters.slice(i, i + take).join(""));
          if (forced) forcedCharacters += take;
          i += take;
        }
        total += characters.length;
        expect(t.complete, shape).toBe(true);
      }
    }
    // Structure, keys and strings at their bounds: a real share of every answer is forced.
    expect(forcedCharacters / total).toBeGreaterThan(0.1);
  });
});

describe("SchemaForcedText with oneOf and const (the chat's tool step, edit proposals)", () => {
  const step = toolStepSchema([{ name: "read_file", description: "", parameters: object({ path: text(8, 1) }) }]);

  it("forces what every branch agrees on, and a branch's own text once the model picked it", () => {
    const t = tracker(step);
    expect(t.forced()).toBe('{"tool":"');
    t.push('{"tool":"r');
    expect(t.forced()).toBe('ead_file","arguments":{"path":"');
    const none = tracker(step);
    none.push('{"tool":"n');
    expect(none.forced()).toBe('one"}');
    none.push('one"}');
    expect(none.complete).toBe(true);
  });

  it("stops forcing where a oneOf branch is ruled out by the text, and loses its way on text no branch allows", () => {
    const t = tracker(step);
    t.push('{"tool":"x');
    expect(t.forced()).toBe("");
    expect(t.complete).toBe(false);
  });

  it("follows an edit proposal's change kinds inside its array", () => {
    const t = tracker(editProposalSchema({ ...defaultProposalLimits, maxChanges: 2 }));
    expect(t.forced()).toBe('{"summary":"');
    t.push('{"summary":"s"');
    expect(t.forced()).toBe(',"changes":[{"kind":"');
    t.push(',"changes":[{"kind":"d');
    expect(t.forced()).toBe('elete","path":"');
    t.push('elete","path":"a.js"');
    expect(t.forced()).toBe("}");
    t.push('},{"kind":"e');
    expect(t.forced()).toBe('dit","path":"');
    t.push('dit","path":"b.js"');
    expect(t.forced()).toBe(',"edits":[{"anchor":"');
  });

  it("every forced text of a sampled-looking proposal is a prefix the schema allows (the grammar would accept it)", () => {
    const schema = editProposalSchema({ ...defaultProposalLimits, maxChanges: 1, maxEditsPerFile: 1 });
    const answer = '{"summary":"x","changes":[{"kind":"edit","path":"a","edits":[{"anchor":"b","replacement":"c"}]}]}';
    const t = tracker(schema);
    let written = "";
    while (written.length < answer.length) {
      const forced = t.forced();
      if (forced) {
        expect(answer.startsWith(written + forced), `${written}|${forced}`).toBe(true);
        written += forced;
        t.push(forced);
        continue;
      }
      const ch = answer[written.length]!;
      written += ch;
      t.push(ch);
    }
    expect(t.complete).toBe(true);
  });
});
