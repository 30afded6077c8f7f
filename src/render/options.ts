// The printout options and their values, apart from the renderer: routes and commands declare them
// without loading pdfkit and the fonts.

export const FORMATS = ['a4', 'receipt'] as const;
export const LANGS = ['ar', 'en', 'both'] as const;
export const DIGITS = ['latin', 'arabic'] as const;
