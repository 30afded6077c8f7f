// Commander's usage errors in Arabic beside its English, like every other error the CLI prints
// (product policy: bilingual messages naming the option and what to fix).

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/unknown option '([^']+)'/, (m) => `خيار غير معروف '${m[1]}'؛ راجع الخيارات المتاحة بالأمر --help`],
  [/unknown command '([^']+)'/, (m) => `أمر غير معروف '${m[1]}'؛ راجع الأوامر المتاحة بالأمر --help`],
  [/required option '([^']+)' not specified/, (m) => `الخيار المطلوب '${m[1]}' غير محدد`],
  [/missing required argument '([^']+)'/, (m) => `الوسيط المطلوب '${m[1]}' مفقود`],
  [/option '([^']+)' argument missing/, (m) => `الخيار '${m[1]}' يحتاج إلى قيمة`],
  [
    /option '([^']+)' argument '([^']*)' is invalid\. Allowed choices are ([^.]*)\./,
    (m) => `القيمة '${m[2]}' غير صالحة للخيار '${m[1]}'؛ القيم المسموح بها: ${m[3]}`,
  ],
  [/too many arguments(?: for '([^']+)')?/, (m) => `وسائط زائدة${m[1] ? ` للأمر '${m[1]}'` : ''}؛ راجع الاستخدام بالأمر --help`],
];

/** The Arabic of one commander error line ("error: unknown option '--x'"), or a general usage hint. */
export function arabicUsageError(english: string): string {
  for (const [pattern, arabic] of PATTERNS) {
    const m = pattern.exec(english);
    if (m) return arabic(m);
  }
  return 'خطأ في استخدام الأمر؛ شغّله مع --help لمعرفة الخيارات';
}
