// The console's script and style sheet: web/console/app.ts bundled with Chart.js by esbuild on first
// request (in memory, then cached), and web/console/console.css — served by us, so no CDN is needed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: string;
  type: string;
  etag: string;
}

/** web/ sits at the package root, beside src/ and dist/ (package.json ships it). */
const WEB = new URL('../../../web/console/', import.meta.url);

const cache = new Map<string, Promise<Asset>>();

const asset = (body: string, type: string): Asset => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });

async function bundleScript(): Promise<Asset> {
  // esbuild loads with the first console page, not with the server (API-only deployments never pay for it).
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('app.ts', WEB))],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'silent',
  });
  return asset(out.outputFiles[0]!.text, 'text/javascript; charset=utf-8');
}

export const ASSET_FILES = ['console.js', 'console.css'] as const;

/** The named asset, built once per process. */
export function consoleAsset(file: string): Promise<Asset> | undefined {
  if (!(ASSET_FILES as readonly string[]).includes(file)) return undefined;
  let a = cache.get(file);
  if (!a) {
    a = file === 'console.js' ? bundleScript() : Promise.resolve(asset(readFileSync(new URL('console.css', WEB), 'utf8'), 'text/css; charset=utf-8'));
    // A failed build is not cached: the next request tries again.
    a.catch(() => cache.delete(file));
    cache.set(file, a);
  }
  return a;
}
