// The start of every unit's hash chain: the previous-invoice hash (PIH, KSA-13) a unit's first document carries.
// One definition, used by the model, the fleet, the simulator and the chain verifier.

/**
 * Base64 of the hex SHA-256 digest of the text "0" — ZATCA's E-Invoicing Detailed Technical Guideline and
 * the SDK's `pih.txt` give this value for a unit's first document (docs/zatca-notes.md, "The hash chain").
 */
export const INITIAL_PIH = 'NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==';
