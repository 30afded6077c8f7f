// Size limits of the source tree (docs/architecture.md, "Shape"): no file under src/ over 400 lines and
// no function over 80 lines, except the generated files and the functions listed below with a reason.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

/** Generated data, not written by hand. */
const GENERATED = new Set(['src/xsd/ubl-invoice-model.ts']);

/** Functions allowed to be longer, each with why (key: `file:function`). */
const FROZEN_DDL = 'frozen DDL history: a migration never changes once released';
const LONG_FUNCTIONS = new Map<string, string>([
  ['src/store/migration-0002-issuing.ts:issuingTables', FROZEN_DDL],
  ['src/store/migration-0002-issuing.ts:up', FROZEN_DDL],
  ['src/store/migration-0003-access.ts:accessTables', FROZEN_DDL],
  ['src/store/migration-0003-access.ts:up', FROZEN_DDL],
  ['src/store/migration-0004-sync.ts:syncTables', FROZEN_DDL],
  ['src/store/migration-0004-sync.ts:up', FROZEN_DDL],
  ['src/store/migrations.ts:fleetTables', FROZEN_DDL],
  ['src/store/migrations.ts:up', FROZEN_DDL],
]);

const root = join(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.ts') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

function functionName(node: ts.Node, source: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(source);
  return `(anonymous, line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1})`;
}

function longFunctions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      const key = `${file}:${functionName(node, source)}`;
      if (lines > MAX_FUNCTION_LINES && !LONG_FUNCTIONS.has(key)) found.push(`${key} has ${lines} lines (limit ${MAX_FUNCTION_LINES})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const problems: string[] = [];
for (const file of files(join(root, 'src'))) {
  if (GENERATED.has(file)) continue;
  const text = readFileSync(join(root, file), 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_FILE_LINES) problems.push(`${file} has ${lines} lines (limit ${MAX_FILE_LINES})`);
  problems.push(...longFunctions(file, text));
}
for (const p of problems) console.log(p);
console.log(problems.length === 0 ? 'size: every file and function within its limit' : `size: ${problems.length} over the limits`);
process.exitCode = problems.length === 0 ? 0 : 1;
