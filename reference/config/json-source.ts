/**
 * A strict JSON parser (RFC 8259) that keeps the position of every key and value and, on bad
 * input, says where (line and column, 1-based) and what was expected — the vendor tool only says
 * "Invalid json". The common hand-editing mistakes get their own message: trailing commas, missing
 * commas, single quotes, comments, unquoted keys, Python literals, duplicate keys.
 */

/** A 1-based position in the source text. */
export interface SourcePos {
  line: number;
  col: number;
  /** 0-based character offset. */
  offset: number;
}

export type JsonNode =
  | { kind: 'object'; pos: SourcePos; entries: JsonEntry[] }
  | { kind: 'array'; pos: SourcePos; items: JsonNode[] }
  | { kind: 'string'; pos: SourcePos; value: string }
  | { kind: 'number'; pos: SourcePos; value: number; raw: string }
  | { kind: 'boolean'; pos: SourcePos; value: boolean }
  | { kind: 'null'; pos: SourcePos };

export interface JsonEntry {
  key: string;
  keyPos: SourcePos;
  value: JsonNode;
}

/** A syntax error: where, and a one-line description of what is wrong / expected. */
export class JsonSyntaxError extends Error {
  readonly pos: SourcePos;
  readonly detail: string;
  constructor(pos: SourcePos, detail: string) {
    super(`line ${pos.line}, column ${pos.col}: ${detail}`);
    this.name = 'JsonSyntaxError';
    this.pos = pos;
    this.detail = detail;
  }
}

/** Line and column (1-based) of a 0-based offset in `text`. */
export function positionOf(text: string, offset: number): SourcePos {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1, offset };
}

/** Converts a parsed node back to a plain JS value. */
export function toPlain(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object': {
      const o: Record<string, unknown> = {};
      // defineProperty, not assignment: a key named "__proto__" must stay an own property (as JSON.parse does)
      for (const e of node.entries) Object.defineProperty(o, e.key, { value: toPlain(e.value), enumerable: true, writable: true, configurable: true });
      return o;
    }
    case 'array':
      return node.items.map(toPlain);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

/** A printable description of the character at `i` ("end of file" past the end). */
function describeChar(text: string, i: number): string {
  if (i >= text.length) return 'end of file';
  const c = text[i]!;
  if (c === '\n') return 'end of line';
  if (c === '\t') return 'a tab';
  return `'${c}'`;
}

class Parser {
  private i = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonNode {
    if (this.text.charCodeAt(0) === 0xfeff) this.i = 1; // tolerate a UTF-8 byte order mark
    this.skipSpace();
    if (this.i >= this.text.length) this.fail(this.i, 'the file is empty; expected a JSON object like {"format": "RGB", ...}');
    const v = this.parseValue('a value');
    this.skipSpace();
    if (this.i < this.text.length) {
      const c = this.text[this.i];
      const what = c === '}' || c === ']' ? `an extra '${c}' (brackets do not balance)` : `${describeChar(this.text, this.i)} after the end of the JSON value`;
      this.fail(this.i, `unexpected ${what}; expected end of file`);
    }
    return v;
  }

  private fail(offset: number, detail: string): never {
    throw new JsonSyntaxError(positionOf(this.text, offset), detail);
  }

  private pos(): SourcePos {
    return positionOf(this.text, this.i);
  }

  /** Skips whitespace; comments are an error with their own message. */
  private skipSpace(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        this.i++;
      } else if (c === 0x2f && (t[this.i + 1] === '/' || t[this.i + 1] === '*')) {
        this.fail(this.i, 'comments are not allowed in JSON; remove the comment');
      } else if (c === 0x23) {
        this.fail(this.i, "comments ('#') are not allowed in JSON; remove the comment");
      } else if (c === 0xa0 || c === 0xfeff || c === 0x3000) {
        this.fail(this.i, 'a non-breaking or full-width space (invisible character) is not allowed in JSON; retype it as a plain space');
      } else {
        break;
      }
    }
  }

  private parseValue(context: string): JsonNode {
    this.skipSpace();
    const t = this.text;
    const start = this.i;
    const c = t[this.i];
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"') return { kind: 'string', pos: this.pos(), value: this.parseString() };
    if (c === "'") this.fail(start, "strings must use double quotes (\"), not single quotes (')");
    if (c === '\u201c' || c === '\u201d') this.fail(start, 'typographic quotes (“ ”) are not JSON; use plain double quotes (")');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(t.slice(this.i, this.i + 40))?.[0];
    if (word === 'true' || word === 'false') {
      this.i += word.length;
      return { kind: 'boolean', pos: positionOf(t, start), value: word === 'true' };
    }
    if (word === 'null') {
      this.i += 4;
      return { kind: 'null', pos: positionOf(t, start) };
    }
    if (word === 'True' || word === 'False' || word === 'TRUE' || word === 'FALSE') {
      this.fail(start, `${word} is not JSON; write ${word.toLowerCase()} (lower case)`);
    }
    if (word === 'None' || word === 'NULL' || word === 'undefined') this.fail(start, `${word} is not JSON; write null`);
    if (word === 'NaN' || word === 'Infinity') this.fail(start, `${word} is not allowed in JSON; write a finite number`);
    if (word !== undefined) this.fail(start, `unexpected word '${word}'; expected ${context} (strings need double quotes: "${word}")`);
    if (c === ',') this.fail(start, `unexpected ','; expected ${context} (an extra or doubled comma?)`);
    if (c === '}' || c === ']') this.fail(start, `unexpected '${c}'; expected ${context}`);
    this.fail(start, `unexpected ${describeChar(t, start)}; expected ${context}`);
  }

  private parseObject(): JsonNode {
    const t = this.text;
    const pos = this.pos();
    this.i++; // {
    const entries: JsonEntry[] = [];
    const seen = new Map<string, SourcePos>();
    this.skipSpace();
    if (t[this.i] === '}') {
      this.i++;
      return { kind: 'object', pos, entries };
    }
    for (;;) {
      this.skipSpace();
      const keyStart = this.i;
      const k = t[this.i];
      if (k === '}' && entries.length > 0) this.fail(keyStart, "trailing comma before '}'; remove the last ','");
      if (k === "'") this.fail(keyStart, "keys must use double quotes (\"), not single quotes (')");
      if (k !== '"') {
        const word = /^[A-Za-z_][A-Za-z0-9_ ]*/.exec(t.slice(this.i, this.i + 60))?.[0]?.trimEnd();
        if (word) this.fail(keyStart, `key ${word} must be in double quotes: "${word}"`);
        this.fail(keyStart, `unexpected ${describeChar(t, keyStart)}; expected a key in double quotes or '}'`);
      }
      const keyPos = this.pos();
      const key = this.parseString();
      const prev = seen.get(key);
      if (prev) this.fail(keyStart, `duplicate key "${key}" (first at line ${prev.line}, column ${prev.col}); keep only one`);
      seen.set(key, keyPos);
      this.skipSpace();
      if (t[this.i] === '=') this.fail(this.i, `expected ':' after key "${key}", found '='`);
      if (t[this.i] !== ':') this.fail(this.i, `expected ':' after key "${key}", found ${describeChar(t, this.i)}`);
      this.i++;
      const value = this.parseValue(`the value of "${key}"`);
      entries.push({ key, keyPos, value });
      const afterValue = this.i;
      this.skipSpace();
      const c = t[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return { kind: 'object', pos, entries };
      }
      if (c === '"') {
        this.fail(afterValue, `missing ',' after the value of "${key}" (the next key starts at line ${this.pos().line}, column ${this.pos().col})`);
      }
      if (c === undefined) this.fail(this.i, `unexpected end of file; expected ',' or '}' to close the object opened at line ${pos.line}, column ${pos.col}`);
      this.fail(this.i, `unexpected ${describeChar(t, this.i)} after the value of "${key}"; expected ',' or '}'`);
    }
  }

  private parseArray(): JsonNode {
    const t = this.text;
    const pos = this.pos();
    this.i++; // [
    const items: JsonNode[] = [];
    this.skipSpace();
    if (t[this.i] === ']') {
      this.i++;
      return { kind: 'array', pos, items };
    }
    for (;;) {
      this.skipSpace();
      if (t[this.i] === ']' && items.length > 0) this.fail(this.i, "trailing comma before ']'; remove the last ','");
      items.push(this.parseValue('an array element'));
      const afterValue = this.i;
      this.skipSpace();
      const c = t[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return { kind: 'array', pos, items };
      }
      if (c === undefined) this.fail(this.i, `unexpected end of file; expected ',' or ']' to close the array opened at line ${pos.line}, column ${pos.col}`);
      if (c === '"' || c === '{' || c === '[' || c === '-' || (c >= '0' && c <= '9')) {
        this.fail(afterValue, `missing ',' between array elements`);
      }
      this.fail(this.i, `unexpected ${describeChar(t, this.i)} in an array; expected ',' or ']'`);
    }
  }

  private parseString(): string {
    const t = this.text;
    const start = this.i;
    this.i++; // opening quote
    let out = '';
    let runStart = this.i;
    for (;;) {
      if (this.i >= t.length) this.fail(start, 'string is never closed; add the closing double quote');
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        out += t.slice(runStart, this.i);
        this.i++;
        return out;
      }
      if (c === 0x0a || c === 0x0d) this.fail(start, 'string is not closed before the end of the line; add the closing double quote');
      if (c < 0x20) this.fail(this.i, 'control character inside a string; escape it (\\t, \\n) or remove it');
      if (c === 0x5c) {
        out += t.slice(runStart, this.i);
        const e = t[this.i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(t.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else {
          this.fail(this.i, `invalid escape '\\${e ?? ''}' in a string (Windows paths: write \\\\ or use /)`);
        }
        runStart = this.i;
        continue;
      }
      this.i++;
    }
  }

  private parseNumber(): JsonNode {
    const t = this.text;
    const start = this.i;
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(t.slice(this.i, this.i + 400));
    if (!m) this.fail(start, `invalid number starting ${describeChar(t, start)}`);
    const raw = m[0];
    const next = t[start + raw.length];
    if (next !== undefined && /[0-9.xXeE_]/.test(next)) {
      const bad = /^[-+0-9A-Za-z._]*/.exec(t.slice(start, start + 40))?.[0] ?? raw;
      this.fail(start, `invalid number '${bad}' (JSON numbers have no leading zeros, hex, or trailing '.')`);
    }
    if (/^-?0[0-9]/.test(t.slice(start, start + 3))) this.fail(start, 'invalid number: leading zeros are not allowed');
    this.i += raw.length;
    return { kind: 'number', pos: positionOf(t, start), value: Number(raw), raw };
  }
}

/** Parses `text` as JSON, keeping positions. Throws {@link JsonSyntaxError} on bad input. */
export function parseJsonWithPositions(text: string): JsonNode {
  return new Parser(text).parseDocument();
}
