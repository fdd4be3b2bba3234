// TypeDoc plugin: headings keep their inline code in the page's "On This Page" list and in their
// anchors. TypeDoc takes a heading's text from its text tokens only, so `## Put \`framewright\` on
// PATH` was listed as "Put  on PATH" (anchor #put-on-path); giving each inline-code token a text
// child makes its words count, while it still renders as <code>.

/** @param {import('typedoc').Application} app */
export function load(app) {
  // Options are read again after plugins load: set the loader once they are final.
  app.on('bootstrapEnd', () => {
    const previous = app.options.getValue('markdownItLoader');
    app.options.setValue('markdownItLoader', (parser) => {
      previous?.(parser);
      parser.core.ruler.push('framewright_heading_code', (state) => {
        for (let i = 1; i < state.tokens.length; i++) {
          if (state.tokens[i - 1].type !== 'heading_open') continue;
          for (const child of state.tokens[i].children ?? []) {
            if (child.type !== 'code_inline' || child.children) continue;
            const text = new state.Token('text', '', 0);
            text.content = child.content;
            child.children = [text];
          }
        }
      });
    });
  });
}
