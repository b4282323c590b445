/**
 * src/output/sanitize.ts: text we did not write cannot act on a terminal or a CI runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defuseLines, sanitize, sanitizeDeep, sanitizeLines } from '../../src/output/sanitize.js';

const ESC = '\u001b';

test('C0, DEL and C1 controls become caret notation; bidi controls hex notation; nothing raw is left', () => {
  assert.equal(sanitize(`${ESC}]0;pwned\u0007`), '^[]0;pwned^G');
  assert.equal(sanitize(`a\tb\r\nc\u0000\u007f`), 'a^Ib^M^Jc^@^?');
  assert.equal(sanitize('\u009b2J\u0085'), '^[[2J^[E');
  assert.equal(sanitize('x\u202ey\u2066z\u200e\u200f\u061c'), 'x\\u202ey\\u2066z\\u200e\\u200f\\u061c');
  const every = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('') + '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';
  // eslint-disable-next-line no-control-regex -- looking for control characters
  assert.doesNotMatch(sanitize(every), /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  assert.equal(sanitize('ordinary text: ключ, 鍵, emoji 🔑'), 'ordinary text: ключ, 鍵, emoji 🔑');
});

test('no sanitised value starts a workflow command, and a newline in data cannot start a line', () => {
  assert.equal(sanitize('::warning::x'), '\\u003a:warning::x');
  assert.equal(sanitize('  ::error file=a::x'), '  \\u003a:error file=a::x');
  assert.equal(sanitize('##[error]x'), '\\u0023#[error]x');
  assert.equal(sanitize('ok\n::warning::x').split('\n').length, 1);
  assert.equal(sanitize(sanitize('::add-mask::x')), sanitize('::add-mask::x'), 'idempotent');
});

test('sanitizeDeep walks arrays and plain objects and leaves dates alone', () => {
  const d = new Date(0);
  assert.deepEqual(sanitizeDeep({ a: [`${ESC}[2J`, { b: 'x\ny' }], d, n: 1 }), { a: ['^[[2J', { b: 'x^Jy' }], d, n: 1 });
});

test('sanitizeLines keeps our line breaks; defuseLines only defuses line starts', () => {
  assert.equal(sanitizeLines(`Error: ${ESC}[8m\n    at x\n::error::y`), 'Error: ^[[8m\n    at x\n\\u003a:error::y');
  assert.equal(defuseLines(`${ESC}[2mnote${ESC}[22m\n::warning::x\nok::fine\n`), `${ESC}[2mnote${ESC}[22m\n\\u003a:warning::x\nok::fine\n`);
});
