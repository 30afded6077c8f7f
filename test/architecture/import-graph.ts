// The import graph of src/ and the layer order drawn in docs/architecture.md, for the layering test.
// Pure functions over file texts so the test can also check the checker on a made-up graph.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';

export interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every `.ts` file under `root`, as paths relative to it with forward slashes. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) out.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The relative imports of one file (static, re-exports and dynamic), resolved to `.ts` paths. */
export function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    if (!spec) continue;
    const to = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
    out.push({ from: file, to, typeOnly: Boolean(m[2]) });
  }
  return out;
}

export function importGraph(root: string): Import[] {
  return sourceFiles(root).flatMap((file) => importsOf(file, readFileSync(join(root, file), 'utf8')));
}

/** A file's layer name: its top folder, or the file itself at the root of src/. */
export const layerOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);

/**
 * The layers drawn in the first code block of the architecture document, top first: each row names
 * folders (`cli/`) or root files (`errors.ts`); names on one row are peers.
 */
export function layerRows(markdown: string): string[][] {
  const block = /```\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  const rows: string[][] = [];
  for (const line of block.split('\n')) {
    const head = line.split(/\s{3,}/)[0]?.trim() ?? '';
    const names = head.split(/\s+/).filter((n) => /^[a-z][\w-]*(\/|\.ts)$/.test(n));
    if (names.length > 0) rows.push(names.map((n) => n.replace(/\/$/, '')));
  }
  return rows;
}

/** Imports that break the order: upward, sideways between peers, or touching a layer not drawn. */
export function layerViolations(imports: Import[], rows: string[][]): string[] {
  const rank = new Map<string, number>();
  rows.forEach((row, i) => {
    for (const name of row) rank.set(name, i);
  });
  const out: string[] = [];
  for (const { from, to } of imports) {
    const [a, b] = [layerOf(from), layerOf(to)];
    if (a === b) continue;
    const [ra, rb] = [rank.get(a), rank.get(b)];
    if (ra === undefined || rb === undefined) out.push(`${from} → ${to}: ${ra === undefined ? a : b} is not in the layer picture`);
    else if (rb < ra) out.push(`${from} → ${to}: ${b} is drawn above ${a}`);
    else if (rb === ra) out.push(`${from} → ${to}: ${a} and ${b} are peers on one row`);
  }
  return out;
}

/** Cycles between files over runtime imports (Tarjan's strongly connected components, iterative). */
export function fileCycles(imports: Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to, typeOnly } of imports) {
    if (typeOnly) continue;
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: Array<[string, number]> = [[start, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      if (i === 0) {
        index.set(v, counter);
        low.set(v, counter++);
        stack.push(v);
        onStack.add(v);
      }
      const targets = next.get(v)!;
      if (i < targets.length) {
        top[1] = i + 1;
        const w = targets[i]!;
        if (!index.has(w)) work.push([w, 0]);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1) cycles.push(scc.sort());
      }
    }
  }
  return cycles;
}
