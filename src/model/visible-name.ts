// Names that tell things apart (a unit, a branch, a device token): one normal form (NFC) and
// visible characters only, so two names that look alike are alike and none hides a direction change.
import { FawtaraError } from '../errors.js';

/**
 * Controls, format characters (bidi embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069,
 * zero-width spaces and joiners, the BOM), line and paragraph separators, private-use code points,
 * lone surrogates, and every space but U+0020: none belongs in a name a person reads or a machine matches.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]|(?! )\p{Zs}/u;

/** The NFC form of `value`, trimmed, 1..max characters, every character visible; otherwise a bilingual INVALID_INPUT naming `field`. */
export function visibleName(value: string, field: string, max = 64): string {
  const name = value.normalize('NFC').trim();
  const bad = INVISIBLE.exec(name);
  if (bad) {
    const code = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new FawtaraError('INVALID_INPUT', `${field}: contains an invisible, control or direction-changing character (${code}); type the name without it`, {
      field,
      messageAr: `${field}: يحتوي على حرف غير مرئي أو حرف تحكم أو حرف يغيّر اتجاه النص (${code})؛ اكتب الاسم دونه`,
    });
  }
  if (name === '' || [...name].length > max) {
    throw new FawtaraError('INVALID_INPUT', `${field}: 1 to ${max} characters`, { field, messageAr: `${field}: من 1 إلى ${max} حرفاً` });
  }
  return name;
}
