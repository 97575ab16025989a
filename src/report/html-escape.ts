/** Escaping for the HTML report: text/attribute content, and JSON embedded in a script element. */

/** Escapes `& < > " '` for HTML text and double- or single-quoted attribute values. */
export function escHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>`, `&` and U+2028/U+2029 become
 * `\uXXXX` escapes, so no `</script>` or `<!--` can appear; `JSON.parse` gives the same value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
