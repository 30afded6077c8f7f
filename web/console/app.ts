// The console's only script (bundled by esbuild with Chart.js, served by us under script-src 'self'):
// action forms sent to the API with the CSRF token, the overview's live refresh, and the charts.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const csrf = (): string => document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

interface ApiError {
  error?: { message?: string; messageAr?: string };
}

/** A form marked `data-api` posts its fields as JSON to that API path, as the logged-in user. */
async function sendForm(form: HTMLFormElement): Promise<void> {
  const out = form.querySelector<HTMLElement>('.result');
  const body: Record<string, unknown> = {};
  for (const el of Array.from(form.elements)) {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) || !el.name || el.name === '_csrf') continue;
    if (el.value === '' && !el.required) continue;
    body[el.name] = el.dataset.type === 'number' ? Number(el.value) : el.value;
  }
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (button) button.disabled = true;
  try {
    const res = await fetch(form.dataset.api ?? '', {
      method: form.dataset.method ?? 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    const json = (await res.json().catch(() => ({}))) as ApiError & { token?: string };
    if (!out) return;
    out.textContent = '';
    out.className = `result notice ${res.ok ? 'ok' : 'error'}`;
    const ar = document.documentElement.lang === 'ar';
    if (!res.ok) {
      const e = json.error ?? {};
      out.setAttribute('role', 'alert');
      out.append(line((ar ? e.messageAr : e.message) ?? `HTTP ${res.status}`), line((ar ? e.message : e.messageAr) ?? '', 'muted'));
      return;
    }
    out.setAttribute('role', 'status');
    out.append(line(form.dataset.done ?? 'OK'));
    if (json.token) {
      const code = document.createElement('code');
      code.className = 'token';
      code.textContent = json.token;
      out.append(code, line(form.dataset.once ?? '', 'muted'));
    } else if (form.dataset.reload !== undefined) {
      setTimeout(() => location.reload(), 600);
    }
  } finally {
    if (button) button.disabled = false;
  }
}

function line(text: string, cls?: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  if (cls) p.className = cls;
  return p;
}

document.addEventListener('submit', (ev) => {
  const form = ev.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.dataset.confirm && !confirm(form.dataset.confirm)) {
    ev.preventDefault();
    return;
  }
  if (form.dataset.api === undefined) return;
  ev.preventDefault();
  void sendForm(form);
});

/** `[data-live]`: the element is fetched again every `data-every` seconds (the page's fragment). */
function live(): void {
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-live]'))) {
    const every = Math.max(5, Number(el.dataset.every ?? 15)) * 1000;
    const refresh = async () => {
      try {
        const res = await fetch(el.dataset.live ?? '', { credentials: 'same-origin', headers: { accept: 'text/html' } });
        if (res.ok) {
          const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
          const fresh = doc.getElementById(el.id);
          if (fresh) el.replaceChildren(...Array.from(fresh.childNodes));
        }
      } finally {
        setTimeout(refresh, every);
      }
    };
    setTimeout(refresh, every);
  }
}

interface ChartData {
  labels: string[];
  series: Array<{ label: string; values: number[] }>;
  links?: string[];
}

const COLORS = ['#0b5d3b', '#c58b00', '#2f6db3', '#a23b3b'];

function charts(): void {
  const rtl = document.documentElement.dir === 'rtl';
  for (const canvas of Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]'))) {
    const source = document.getElementById(canvas.dataset.chart ?? '');
    if (!source?.textContent) continue;
    const data = JSON.parse(source.textContent) as ChartData;
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: data.labels,
        datasets: data.series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: COLORS[i % COLORS.length] })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: document.documentElement.lang === 'ar' ? 'ar-SA-u-nu-arab' : 'en-US',
        plugins: { legend: { rtl }, tooltip: { rtl } },
        scales: { x: { reverse: rtl } },
        onClick: (_e, elements) => {
          const i = elements[0]?.index;
          if (i !== undefined && data.links?.[i]) location.href = data.links[i];
        },
      },
    });
  }
}

live();
charts();
