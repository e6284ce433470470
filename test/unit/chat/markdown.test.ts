// The hostile corpus: things a model (or text it was shown) can write to attack the webview.
// Both layers are checked: markdown-it's output alone, and DOMPurify over it (in jsdom's DOM).
import createDOMPurify from "dompurify";
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { renderMarkdown, renderSafeMarkdown, sanitizeConfig } from "../../../src/core/chat/markdown.js";

const window = new JSDOM("").window;
const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);

const hostile: Record<string, string> = {
  script: "Hello <script>alert(1)</script> world",
  scriptUpper: "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
  onerror: '<img src=x onerror="alert(1)">',
  svgOnload: "<svg onload=alert(1)><circle r=1></svg>",
  javascriptLink: "[click me](javascript:alert(1))",
  javascriptEncoded: "[click](jav&#x09;ascript:alert(1)) and [x](JaVaScRiPt:alert(1))",
  javascriptAutolink: "<javascript:alert(1)>",
  dataLink: "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  dataImage: "![pixel](data:image/png;base64,iVBORw0KGgo=)",
  remoteImage: "![tracker](https://evil.example/pixel.png)",
  referenceImage: "![ref][r]\n\n[r]: https://evil.example/a.png",
  vbscript: "[v](vbscript:msgbox(1))",
  fileLink: "[f](file:///etc/passwd)",
  nestedHtml: "<div><p><a href='javascript:alert(1)'><b onmouseover=alert(1)>x</b></a></p></div>",
  iframe: '<iframe src="https://evil.example"></iframe><object data="x"></object><embed src="x">',
  style: "<style>body{display:none}</style><p style='position:fixed'>x</p>",
  form: '<form action="https://evil.example"><input name=a><button>go</button></form>',
  meta: '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  brokenFence: "```js\nconsole.log(1)\n<script>alert(1)</script>\n",
  fenceInfoAttack: '```js" onmouseover="alert(1)\ncode\n```',
  htmlInFence: "```html\n<img src=x onerror=alert(1)>\n```",
  htmlInInlineCode: "`<script>alert(1)</script>`",
  linkTitleAttack: '[a](https://ok.example "x\\" onmouseover=\\"alert(1)")',
  entityTricks: "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
  mxss: "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
};

function assertHarmless(html: string): void {
  const doc = new JSDOM(`<body>${html}</body>`).window.document;
  const elements = [...doc.body.querySelectorAll("*")];
  const forbidden = ["SCRIPT", "IMG", "SVG", "IFRAME", "OBJECT", "EMBED", "STYLE", "FORM", "INPUT", "BUTTON", "META", "LINK", "NOSCRIPT"];
  for (const element of elements) {
    expect(forbidden, `element <${element.tagName}> in ${html}`).not.toContain(element.tagName.toUpperCase());
    for (const attribute of [...element.attributes]) {
      expect(attribute.name, `attribute ${attribute.name} in ${html}`).not.toMatch(/^on|^style$|^src$|^srcset$|^action$/i);
      if (attribute.name === "href") expect(attribute.value).toMatch(/^(https?:|mailto:)/i);
    }
  }
}

describe("markdown rendering of hostile answers", () => {
  for (const [name, text] of Object.entries(hostile)) {
    it(`markdown-it alone keeps ${name} inert`, () => assertHarmless(renderMarkdown(text)));
    it(`markdown-it + DOMPurify keeps ${name} inert`, () => assertHarmless(renderSafeMarkdown(text, purify)));
  }

  it("shows raw HTML as text instead of dropping it", () => {
    const html = renderSafeMarkdown(hostile.script!, purify);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("renders images as their alt text, never as <img>", () => {
    expect(renderSafeMarkdown(hostile.remoteImage!, purify)).toContain("[image: tracker]");
    expect(renderSafeMarkdown(hostile.remoteImage!, purify)).not.toContain("evil.example");
  });

  it("keeps safe links, refuses the others", () => {
    const html = renderSafeMarkdown("[docs](https://example.com/a?b=1) [mail](mailto:a@b.c) [bad](javascript:alert(1))", purify);
    expect(html).toContain('href="https://example.com/a?b=1"');
    expect(html).toContain('href="mailto:a@b.c"');
    // The refused link stays visible as text, never as a link.
    expect(html).not.toMatch(/href="javascript/i);
    expect(html).toContain("[bad](javascript:alert(1))");
  });

  it("a broken fence runs to the end and stays code", () => {
    const html = renderSafeMarkdown(hostile.brokenFence!, purify);
    expect(html).toMatch(/^<pre><code class="[^"]*language-js/);
    expect(html).toContain("&lt;script&gt;");
  });

  it("highlights code blocks of known languages", () => {
    const html = renderSafeMarkdown("```ts\nconst a: number = 1;\n```", purify);
    expect(html).toContain('class="hljs-keyword"');
    expect(html).toContain("language-ts");
  });

  it("DOMPurify itself strips what slips past an HTML-enabled renderer", () => {
    for (const text of [hostile.onerror!, hostile.nestedHtml!, hostile.iframe!, hostile.mxss!]) {
      assertHarmless(purify.sanitize(text, { ...sanitizeConfig, RETURN_TRUSTED_TYPE: false }) as string);
    }
  });
});
