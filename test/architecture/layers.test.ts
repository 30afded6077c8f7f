// The layer order of docs/architecture.md holds over src/: no upward or sideways import, no
// undrawn folder, no cycle between files — and the checker itself catches each of those.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileCycles, importGraph, importsOf, layerRows, layerViolations, sourceFiles } from './import-graph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rows = layerRows(readFileSync(join(root, 'docs/architecture.md'), 'utf8'));
const graph = importGraph(join(root, 'src'));

describe('layers (docs/architecture.md)', () => {
  it('draws every folder of src/ exactly once', () => {
    const drawn = rows.flat();
    expect(new Set(drawn).size).toBe(drawn.length);
    const layers = new Set(sourceFiles(join(root, 'src')).map((f) => (f.includes('/') ? f.slice(0, f.indexOf('/')) : f)));
    expect([...layers].filter((l) => !drawn.includes(l))).toEqual([]);
  });

  it('has no import from a layer to one drawn above it or beside it', () => {
    expect(layerViolations(graph, rows)).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(fileCycles(graph)).toEqual([]);
  });
});

describe('the layering checker', () => {
  const picture = '```\nindex.ts    top\ncli/  server/   faces\n  │\nstore/    bottom\n```\n';
  const made = [
    ...importsOf('cli/main.ts', "import { a } from '../store/a.js';\nimport type { B } from '../server/b.js';"),
    ...importsOf('store/a.ts', "export { x } from '../cli/main.js';"),
    ...importsOf('store/b.ts', "const m = await import('./a.js');"),
    ...importsOf('store/a.ts', "import { y } from './b.js';"),
  ];

  it('reads the rows of the picture, peers on one row', () => {
    expect(layerRows(picture)).toEqual([['index.ts'], ['cli', 'server'], ['store']]);
  });

  it('reports an upward import, a sideways import and an undrawn folder', () => {
    const found = layerViolations([...made, ...importsOf('store/a.ts', "import { z } from '../zatca/z.js';")], layerRows(picture));
    expect(found).toEqual([
      'cli/main.ts → server/b.ts: cli and server are peers on one row',
      'store/a.ts → cli/main.ts: cli is drawn above store',
      'store/a.ts → zatca/z.ts: zatca is not in the layer picture',
    ]);
  });

  it('reports a cycle between files, through dynamic imports and re-exports too', () => {
    expect(fileCycles(made)).toEqual([['cli/main.ts', 'store/a.ts', 'store/b.ts']]);
  });

  it('ignores type-only imports when looking for cycles', () => {
    const typeOnly = [...importsOf('a/x.ts', "import type { Y } from '../b/y.js';"), ...importsOf('b/y.ts', "import { x } from '../a/x.js';")];
    expect(fileCycles(typeOnly)).toEqual([]);
  });
});
