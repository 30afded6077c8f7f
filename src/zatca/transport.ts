// The single road to a FATOORA gateway: base URL per environment, ZATCA's headers, Basic auth,
// timeouts, and turning every answer (or silence) into a typed outcome through outcome.ts.
import { FawtaraError } from '../errors.js';
import { basicAuth } from './credentials.js';
import { FATOORA_BASE_URL, type FatooraEnv } from './environments.js';
import { classifyStatus, personMessage, readFindings, readValidationResults, type ZatcaOutcome } from './outcome.js';
import { ENDPOINT_ROUTES, SIMULATOR_REVOCATION_HEADER, type AcceptLanguage, type CsidCredentials, type ZatcaEndpoint } from './types.js';

export interface TransportOptions {
  /** A real environment (docs/zatca-notes.md §A1); ignored when `baseUrl` is given. */
  environment?: FatooraEnv;
  /** Explicit base URL, e.g. `simulatorBaseUrl(sim.url, 'simulation')`. */
  baseUrl?: string;
  /** Language of ZATCA's validation messages; default `en`. */
  language?: AcceptLanguage;
  /** Per-call timeout; default 30 s (ZATCA publishes none, integrators use 30 s). */
  timeoutMs?: number;
  /** Injected for tests or proxies; default Node's global fetch. */
  fetch?: typeof fetch;
}

export interface SendOptions {
  body: unknown;
  credentials?: CsidCredentials;
  otp?: string;
  clearanceStatus?: '0' | '1';
  language?: AcceptLanguage;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Bound what we keep of a response: a cleared invoice can be as large as the 10 MB request. */
const MAX_RESPONSE_CHARS = 16 * 1024 * 1024;
const REQUEST_ID_HEADERS = ['x-request-id', 'x-global-transaction-id', 'x-correlation-id'];

export class ZatcaTransport {
  readonly baseUrl: string;
  readonly language: AcceptLanguage;
  readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: TransportOptions) {
    const base = options.baseUrl ?? (options.environment ? FATOORA_BASE_URL[options.environment] : undefined);
    if (!base) {
      throw new FawtaraError('USAGE', 'ZATCA client: give an environment (sandbox, simulation, production) or a base URL', {
        field: 'environment',
        messageAr: 'عميل الهيئة: حدد البيئة (sandbox أو simulation أو production) أو عنوان URL أساسياً',
      });
    }
    this.baseUrl = base.replace(/\/+$/, '');
    this.language = options.language ?? 'en';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * Call one endpoint. `parseBody` turns a JSON body into the endpoint's result type (or null
   * when it has another shape). Never throws for a status, a timeout or a network failure.
   */
  async send<TBody>(endpoint: ZatcaEndpoint, options: SendOptions, parseBody: (json: unknown) => TBody | null): Promise<ZatcaOutcome<TBody>> {
    const route = ENDPOINT_ROUTES[endpoint];
    const headers: Record<string, string> = {
      'Accept-Version': 'V2',
      'Accept-Language': options.language ?? this.language,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    if (options.credentials) headers.Authorization = basicAuth(options.credentials);
    if (options.otp !== undefined) headers.OTP = options.otp;
    if (options.clearanceStatus !== undefined) headers['Clearance-Status'] = options.clearanceStatus;

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.baseUrl + route.path, {
        method: route.method,
        headers,
        body: JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'manual', // 303 is an answer here, not a place to go
      });
      text = await response.text();
    } catch (error) {
      const failure = isTimeout(error) ? 'timeout' : 'network';
      const rule = classifyStatus(null);
      const detail = error instanceof Error ? error.message : String(error);
      return {
        endpoint,
        ...rule,
        httpStatus: null,
        body: null,
        validationResults: null,
        errors: [{ code: null, category: failure, message: detail, severity: 'error' }],
        warnings: [],
        requestId: null,
        message: personMessage(rule.kind, null, undefined, failure),
        failure,
        retryAfterSeconds: null,
        rawBody: '',
      };
    }
    if (text.length > MAX_RESPONSE_CHARS) text = text.slice(0, MAX_RESPONSE_CHARS);
    // 401/406/413/429/5xx may carry no body, plain text or HTML: never assume JSON (docs/zatca-notes.md §A11.2).
    let json: unknown;
    const trimmed = text.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        json = JSON.parse(trimmed);
      } catch {
        json = undefined;
      }
    }
    // The 428 example wraps its object in {"value": …} (docs/zatca-notes.md §A3.4); unwrap it.
    if (json && typeof json === 'object' && 'value' in json && Object.keys(json).length === 1) {
      json = (json as { value: unknown }).value;
    }
    const validationResults = readValidationResults(json);
    const rule = classifyStatus(response.status, validationResults?.status);
    const { errors, warnings } = readFindings(json, validationResults);
    if (json === undefined && trimmed !== '' && rule.kind !== 'accepted') {
      errors.push({ code: null, category: null, message: trimmed.slice(0, 500), severity: 'error' });
    }
    const first = errors[0] ?? (rule.kind === 'accepted-with-warnings' || rule.kind === 'duplicate-accepted' ? warnings[0] : undefined);
    return {
      endpoint,
      ...rule,
      httpStatus: response.status,
      body: json === undefined ? null : parseBody(json),
      validationResults,
      errors,
      warnings,
      requestId: requestIdOf(json, response.headers),
      message: personMessage(rule.kind, response.status, first),
      retryAfterSeconds: retryAfter(response.headers.get('retry-after')),
      rawBody: text,
      ...(response.status === 401 &&
        response.headers.get(SIMULATOR_REVOCATION_HEADER) && { portalRevocation: response.headers.get(SIMULATOR_REVOCATION_HEADER)!.slice(0, 100) }),
    };
  }
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function requestIdOf(json: unknown, headers: Headers): string | null {
  if (json && typeof json === 'object') {
    const id = (json as Record<string, unknown>).requestID;
    if (typeof id === 'number' || typeof id === 'string') return String(id);
  }
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return null;
}

function retryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
}
