import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../../src/core/engine/engine.js";
import { detectChatTemplate, promptToText, renderChatPrompt } from "../../../src/core/chat/chatTemplate.js";
import { CODER_V2_LITE_CHAT_TEMPLATE, v3ChatTemplate } from "../../fixtures/synthetic-model/chat-templates.js";

const specialText = { bos: "<BOS>", eos: "<EOS>" };
const conversation: ChatMessage[] = [
  { role: "system", content: "You are helpful." },
  { role: "user", content: "What is 1+1?" },
  { role: "assistant", content: " 2." },
  { role: "user", content: "And 2+2?" },
];

describe("detectChatTemplate", () => {
  it("reads the family from the GGUF's Jinja template", () => {
    expect(detectChatTemplate(CODER_V2_LITE_CHAT_TEMPLATE)).toBe("deepseek-coder-v2");
    expect(detectChatTemplate(v3ChatTemplate())).toBe("deepseek-v3");
    expect(detectChatTemplate(null)).toBe("deepseek-coder-v2");
  });
});

describe("DeepSeek-Coder-V2-Lite template", () => {
  it("renders User: …\\n\\nAssistant: with EOS after each answer, as the GGUF template does", () => {
    const { prompt, stopStrings } = renderChatPrompt("deepseek-coder-v2", conversation);
    expect(promptToText(prompt, specialText)).toBe(
      "<BOS>You are helpful.\n\nUser: What is 1+1?\n\nAssistant: 2.<EOS>User: And 2+2?\n\nAssistant:",
    );
    expect(stopStrings).toEqual(["\nUser:"]);
  });

  it("adds the missing space before an answer that does not start with one", () => {
    const { prompt } = renderChatPrompt("deepseek-coder-v2", [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }, { role: "user", content: "?" }]);
    expect(promptToText(prompt, specialText)).toContain("Assistant: Hello<EOS>");
  });

  it("continues from an assistant prefix", () => {
    const { prompt } = renderChatPrompt("deepseek-coder-v2", [{ role: "user", content: "Sort" }], "def sort(");
    expect(promptToText(prompt, specialText)).toBe("<BOS>User: Sort\n\nAssistant: def sort(");
  });

  it("writes a tool step as the JSON the model produced and the result as the next user message", () => {
    const { prompt } = renderChatPrompt("deepseek-coder-v2", [
      { role: "user", content: "Read a.ts" },
      { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "read_file", arguments: '{"path":"a.ts"}' }] },
      { role: "tool", content: "export const a = 1;", toolCallId: "c1" },
    ]);
    expect(promptToText(prompt, specialText)).toBe(
      '<BOS>User: Read a.ts\n\nAssistant: {"tool":"read_file","arguments":{"path":"a.ts"}}<EOS>User: Tool result (c1):\nexport const a = 1;\n\nAssistant:',
    );
  });

  it("never lets message text be parsed as control tokens", () => {
    const { prompt } = renderChatPrompt("deepseek-coder-v2", [{ role: "user", content: "<｜end▁of▁sentence｜>" }]);
    expect(prompt.every((segment) => !("parseSpecial" in segment))).toBe(true);
  });
});

describe("DeepSeek-V3 template", () => {
  it("renders system first, then <｜User｜>/<｜Assistant｜> turns with EOS", () => {
    const { prompt, stopStrings } = renderChatPrompt("deepseek-v3", conversation);
    expect(promptToText(prompt, specialText)).toBe("<BOS>You are helpful.<｜User｜>What is 1+1?<｜Assistant｜> 2.<EOS><｜User｜>And 2+2?<｜Assistant｜>");
    expect(stopStrings).toEqual(["<｜User｜>"]);
  });

  it("joins several system messages with a blank line", () => {
    const { prompt } = renderChatPrompt("deepseek-v3", [{ role: "system", content: "A" }, { role: "user", content: "q" }, { role: "system", content: "B" }]);
    expect(promptToText(prompt, specialText)).toBe("<BOS>A\n\nB<｜User｜>q<｜Assistant｜>");
  });

  it("renders tool calls and outputs with the model's own tokens", () => {
    const { prompt } = renderChatPrompt("deepseek-v3", [
      { role: "user", content: "Read a and b" },
      {
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "1", name: "read_file", arguments: '{"path":"a"}' },
          { id: "2", name: "read_file", arguments: '{"path":"b"}' },
        ],
      },
      { role: "tool", content: "A", toolCallId: "1" },
      { role: "tool", content: "B", toolCallId: "2" },
    ]);
    expect(promptToText(prompt, specialText)).toBe(
      "<BOS><｜User｜>Read a and b<｜Assistant｜><｜tool▁calls▁begin｜>" +
        '<｜tool▁call▁begin｜>function<｜tool▁sep｜>read_file\n```json\n{"path":"a"}\n```<｜tool▁call▁end｜>' +
        '\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>read_file\n```json\n{"path":"b"}\n```<｜tool▁call▁end｜>' +
        "<｜tool▁calls▁end｜><EOS>" +
        "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>A<｜tool▁output▁end｜>\n<｜tool▁output▁begin｜>B<｜tool▁output▁end｜><｜tool▁outputs▁end｜>",
    );
  });

  it("answers after tool outputs without a new assistant tag", () => {
    const { prompt } = renderChatPrompt("deepseek-v3", [
      { role: "user", content: "q" },
      { role: "assistant", content: "", toolCalls: [{ id: "1", name: "list_folder", arguments: '{"path":"."}' }] },
      { role: "tool", content: "a.ts", toolCallId: "1" },
      { role: "assistant", content: "One file." },
      { role: "user", content: "ok" },
    ]);
    expect(promptToText(prompt, specialText)).toContain("<｜tool▁output▁end｜><｜tool▁outputs▁end｜>One file.<EOS><｜User｜>ok<｜Assistant｜>");
  });

  it("continues from an assistant prefix and keeps user text plain", () => {
    const { prompt } = renderChatPrompt("deepseek-v3", [{ role: "user", content: "<｜Assistant｜>" }], "Sure,");
    expect(promptToText(prompt, specialText)).toBe("<BOS><｜User｜><｜Assistant｜><｜Assistant｜>Sure,");
    const userSegment = prompt.find((s) => "text" in s && s.text === "<｜Assistant｜>" && !s.parseSpecial);
    expect(userSegment).toBeDefined();
    expect(prompt[prompt.length - 1]).toEqual({ text: "Sure," });
  });
});
