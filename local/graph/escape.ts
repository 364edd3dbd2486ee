const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for HTML/SVG content and double-quoted attribute values. State names, error causes and
 * ARNs come from definitions and providers: every one goes through here. Characters XML forbids
 * (C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, so the page also parses as XML.
 */
export function escapeText(value: unknown): string {
  return String(value)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Cuts to `max` characters (whole code points), marking the cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
