// The redaction layer: every line the fleet writes to a person, a log or the exchange log passes
// through here, so keys, CSID secrets and OTPs cannot leak even through an error message.

import { TOKEN_SHAPE } from '../crypto/tokens.js';

const MASK = '[REDACTED]';

/** Shapes that are secret wherever they appear, whoever registered them. */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN (?:EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?-----END (?:EC |ENCRYPTED )?PRIVATE KEY-----/g, `-----${MASK} PRIVATE KEY-----`],
  [/("(?:secret|otp|OTP|privateKey|private_key|sealed_private_key|sealed_secret|password)"\s*:\s*)"[^"]*"/g, `$1"${MASK}"`],
  [/(\b(?:Authorization|authorization)\s*[:=]\s*"?Basic\s+)[A-Za-z0-9+/=]+/g, `$1${MASK}`],
  [/(\bOTP\s*[:=]\s*"?)\d{4,8}/gi, `$1${MASK}`],
  [/(--otp[= ]+)\d{4,8}/g, `$1${MASK}`],
  [/\bv1\.[A-Za-z0-9+/=]{40,}/g, `v1.${MASK}`],
  // Our bearer tokens (crypto/tokens.ts) and any Bearer credential.
  [TOKEN_SHAPE, '[REDACTED-TOKEN]'],
  [/(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${MASK}`],
];

export class Redactor {
  private readonly secrets = new Set<string>();

  /**
   * Register a value that must never be shown. Values shorter than 6 characters are refused as
   * too likely to mask ordinary text (OTPs are 6 digits).
   */
  add(...values: ReadonlyArray<string | undefined | null>): void {
    for (const v of values) if (typeof v === 'string' && v.length >= 6) this.secrets.add(v);
  }

  /** Register a private key in every text form it could be printed in. */
  addKeyMaterial(forms: { secretScalar: Buffer; der: Buffer; pem?: string }): void {
    const { secretScalar, der } = forms;
    this.add(secretScalar.toString('hex'), secretScalar.toString('hex').toUpperCase(), secretScalar.toString('base64'), secretScalar.toString('base64url'));
    this.add(der.toString('base64'), der.toString('hex'));
    if (forms.pem) for (const line of forms.pem.split('\n')) if (!line.startsWith('-----')) this.add(line.trim());
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  /** Deep copy of a JSON-like value with every string redacted. */
  redactValue<T>(value: T): T {
    return JSON.parse(this.redact(JSON.stringify(value))) as T;
  }
}

/**
 * The process's redactor: CLI output and logs share it, so a secret registered by a service (an OTP
 * read from a CSV, a secret returned by ZATCA) is masked on every path out of the process.
 */
export const processRedactor = new Redactor();
