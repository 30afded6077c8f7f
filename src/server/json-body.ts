// JSON request bodies: the bytes must be UTF-8 and every string (keys too) must be text that
// round-trips, because what a document stores is what it signs; anything else is a 400 naming the field.
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { FawtaraError } from '../errors.js';

/** Half of a UTF-16 surrogate pair without its other half (the `u` flag leaves proper pairs alone). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Where in the body a value sits, as the POS and validation errors name it: `body.lines[0].name`. */
function pathOf(parts: ReadonlyArray<string | number>): string {
  return parts.reduce<string>((p, part) => (typeof part === 'number' ? `${p}[${part}]` : `${p}.${part}`), 'body');
}

/**
 * The first string of `value` (or key) that does not survive UTF-8 encoding unchanged: a lone
 * surrogate, which `\ud800` in JSON produces and UTF-8 turns into U+FFFD — the stored document would
 * then differ from the signed one. Depth is bounded by the body limit; the walk is iterative anyway.
 */
export function firstIllFormedString(value: unknown): string | undefined {
  const stack: Array<{ v: unknown; path: ReadonlyArray<string | number> }> = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return pathOf(path);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return pathOf([...path, k]);
        stack.push({ v: child, path: [...path, k] });
      }
    }
  }
  return undefined;
}

/** Replace fastify's JSON parser (which turns invalid UTF-8 into U+FFFD silently) by one that refuses it. */
export function strictJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(
        new FawtaraError('INVALID_INPUT', 'body: the JSON is not valid UTF-8; send the text encoded as UTF-8', {
          field: 'body',
          messageAr: 'body: نص JSON ليس بترميز UTF-8 صالح؛ أرسل النص بترميز UTF-8',
        }),
        undefined,
      );
      return;
    }
    parse(request, bytes.toString('utf8'), (error, value) => {
      if (error) return done(error, undefined);
      const field = firstIllFormedString(value);
      if (field !== undefined) {
        return done(
          new FawtaraError(
            'INVALID_INPUT',
            `${field}: contains half of a UTF-16 surrogate pair (such as \\ud800 alone), which no UTF-8 text can carry; the document would not be stored as signed — send valid text`,
            {
              field,
              messageAr: `${field}: يحتوي على نصف زوج بديل في UTF-16 (مثل \\ud800 وحده) لا يمكن ترميزه بـ UTF-8؛ لن يُحفظ المستند كما وُقّع — أرسل نصاً صالحاً`,
            },
          ),
          undefined,
        );
      }
      done(null, value);
    });
  });
}
