// ZATCA's API words for findings the engine names in the SDK's terms (docs/zatca-notes.md §A10.3): the
// simulator answers with the gateway's codes and English texts users see, keeping the engine's detail.
import type { ValidationMessage } from '../zatca/types.js';

interface ApiWord {
  code: string;
  category: string;
  en: string;
}

/** Engine code → the gateway's code, category and literal English text (fatoora-api §10.3 catalogue). */
const API_WORDS: Record<string, ApiWord> = {
  'signed-properties-hashing': {
    code: 'signed-properties-hashing',
    category: 'CERTIFICATE_ERRORS',
    en: "Invalid signed properties hashing, SignedProperties with id='xadesSignedProperties'",
  },
  'certificate-hashing': { code: 'certificate-hashing', category: 'CERTIFICATE_ERRORS', en: 'Invalid certificate hashing' },
  // The SDK says `signatureValue`; the API says `invalid-digital-signature`.
  signatureValue: { code: 'invalid-digital-signature', category: 'SIGNATURE_ERRORS', en: 'Invalid digital signature' },
};

/** Reword the engine's findings as the gateway words them; Arabic keeps the engine's own text. */
export function apiWording(messages: ValidationMessage[], language: 'en' | 'ar'): ValidationMessage[] {
  return messages.map((m) => {
    const word = m.code ? API_WORDS[m.code] : undefined;
    if (!word) return m;
    return { ...m, code: word.code, category: word.category, message: language === 'en' ? word.en : m.message };
  });
}
