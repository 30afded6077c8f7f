// ZATCA's authority certificates head office trusts per environment: the issuing CA that signs units'
// certificates (enrolment) and the stamp certificate of cleared documents. Added by an administrator.
import { X509Certificate } from 'node:crypto';
import { FleetError, type FleetContext } from '../egs/index.js';
import { syncTrust } from '../store/index.js';

export type AuthorityKind = 'issuing-ca' | 'stamp';
export const AUTHORITY_KINDS: readonly AuthorityKind[] = ['issuing-ca', 'stamp'];

function parse(text: string): X509Certificate {
  const raw = text.trim();
  const der = raw.includes('-----BEGIN')
    ? Buffer.from(raw.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
    : Buffer.from(raw.replace(/\s+/g, ''), 'base64');
  try {
    return new X509Certificate(der);
  } catch {
    throw new FleetError('INVALID_FIELD', 'not an X.509 certificate in PEM or base64 DER form', {
      field: 'certificate',
      code: 'INVALID_CERTIFICATE',
      messageAr: 'ليست شهادة X.509 بصيغة PEM أو base64',
    });
  }
}

/** Register one authority certificate; adding the same one again changes nothing. */
export async function addAuthority(
  ctx: FleetContext,
  environment: string,
  kind: AuthorityKind,
  certificate: string,
): Promise<{ added: boolean; subject: string }> {
  const x509 = parse(certificate);
  if (kind === 'issuing-ca' && !x509.ca)
    throw new FleetError('INVALID_FIELD', `${x509.subject.replace(/\n/g, ', ')} is not a CA certificate (basicConstraints CA:TRUE)`, {
      field: 'certificate',
      code: 'INVALID_CERTIFICATE',
      messageAr: 'الشهادة ليست شهادة جهة إصدار',
    });
  const subject = x509.subject.replace(/\n/g, ', ');
  const added = await syncTrust.addAuthority(ctx.store.db, {
    environment,
    kind,
    certificate: x509.raw.toString('base64'),
    subject,
    not_after: new Date(x509.validTo).toISOString(),
    added_at: ctx.clock.now().toISOString(),
    added_by: ctx.actor,
  });
  return { added, subject };
}

export async function listAuthorities(ctx: FleetContext, environment: string) {
  return (await syncTrust.authorities(ctx.store.db, environment)).map((a) => ({
    environment: a.environment,
    kind: a.kind,
    subject: a.subject,
    notAfter: a.not_after,
  }));
}

/** The stamp certificates (base64 DER) of an environment: what a cleared document's stamp must be signed with. */
export async function stampCertificates(ctx: FleetContext, environment: string): Promise<string[]> {
  return (await syncTrust.authorities(ctx.store.db, environment, 'stamp')).map((a) => a.certificate);
}
