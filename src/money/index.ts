// Public face of money/: decimal amounts and ZATCA rounding. Everything that adds, multiplies or
// rounds an amount goes through here, so BR-CO-* arithmetic holds by construction.
export * from './decimal.js';
export * from './allocate.js';
