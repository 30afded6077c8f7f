// The browsable API page at /docs: self-contained HTML (no CDN, works offline) with a login form;
// its script fetches /openapi.json with the session token and renders the operations.
import { createHash } from 'node:crypto';

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f23;background:#fafafa}
header{background:#0b5d3b;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.85}
main,#login{max-width:1000px;margin:16px auto;padding:0 16px}
form{display:flex;gap:8px;flex-wrap:wrap;align-items:center}input{padding:6px 8px;border:1px solid #bbb;border-radius:4px;min-width:220px}
button{padding:6px 14px;border:0;border-radius:4px;background:#0b5d3b;color:#fff;cursor:pointer}
h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px;text-transform:capitalize}
details{background:#fff;border:1px solid #e1e4e8;border-radius:6px;margin:6px 0;padding:6px 10px}
summary{cursor:pointer}.m{display:inline-block;min-width:62px;font-weight:700;font-family:monospace}
.GET{color:#0366d6}.POST{color:#22863a}.DELETE{color:#cb2431}.PUT,.PATCH{color:#b08800}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f6f8fa;padding:8px;overflow:auto;border-radius:4px}
small{color:#586069;margin-left:8px}#msg{color:#cb2431}`;

const SCRIPT = `
const $ = (s) => document.querySelector(s);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
let token = sessionStorage.getItem('fawtara.token');
async function load() {
  if (!token) { $('#login').hidden = false; return; }
  const r = await fetch('/openapi.json', { headers: { authorization: 'Bearer ' + token } });
  if (!r.ok) { sessionStorage.removeItem('fawtara.token'); token = null; $('#login').hidden = false; $('#msg').textContent = r.status === 401 ? 'Session ended: log in again.' : 'Error ' + r.status; return; }
  $('#login').hidden = true; $('#logout').hidden = false;
  render(await r.json());
}
function render(doc) {
  const main = $('#ops'); main.textContent = '';
  main.append(el('p', doc.info.description));
  const byTag = new Map();
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const tag = (op.tags && op.tags[0]) || 'other';
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push([method.toUpperCase(), path, op]);
  }
  for (const [tag, ops] of byTag) {
    main.append(el('h2', tag));
    for (const [method, path, op] of ops) {
      const d = el('details'); const s = el('summary');
      s.append(el('span', method, 'm ' + method), el('code', path), el('small', (op.summary || '') + ' · ' + (op['x-permission'] || '')));
      d.append(s);
      const parts = { parameters: op.parameters, requestBody: op.requestBody && op.requestBody.content['application/json'].schema, responses: op.responses };
      for (const [k, v] of Object.entries(parts)) if (v) { d.append(el('h4', k)); d.append(el('pre', JSON.stringify(v, null, 2))); }
      main.append(d);
    }
  }
}
$('#f').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = JSON.stringify({ username: $('#u').value, password: $('#p').value });
  const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const j = await r.json();
  $('#p').value = '';
  if (!r.ok) { $('#msg').textContent = j.error.message + ' — ' + j.error.messageAr; return; }
  token = j.token; sessionStorage.setItem('fawtara.token', token); $('#msg').textContent = ''; load();
});
$('#logout').addEventListener('click', async () => {
  await fetch('/api/v1/auth/session', { method: 'DELETE', headers: { authorization: 'Bearer ' + token } });
  sessionStorage.removeItem('fawtara.token'); token = null; $('#ops').textContent = ''; $('#logout').hidden = true; $('#login').hidden = false;
});
load();`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Fawtara API</title><style>${STYLE}</style></head>
<body><header><h1>Fawtara head-office API · واجهة فوترة</h1><p>Log in to browse the operations (OpenAPI 3.1 at /openapi.json). <button id="logout" hidden>Log out</button></p></header>
<section id="login" hidden><form id="f"><input id="u" placeholder="username" autocomplete="username" required><input id="p" type="password" placeholder="password" autocomplete="current-password" required><button>Log in</button></form><p id="msg"></p></section>
<main id="ops"></main>
<script>${SCRIPT}</script></body></html>`;

/** Only this page's own script and style may run: a strict policy pinned by hash. */
export const DOCS_CSP = `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;
