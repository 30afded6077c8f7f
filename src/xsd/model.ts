// Shape of the compact schema model generated from ZATCA's UBL 2.1 XSDs (scripts/gen-xsd-model.ts)
// and read by the structural validator in validate.ts.

/** Element keys are `${namespaceIndex}:${localName}`; namespaces[] holds the URIs. */
export interface SchemaModel {
  note: string;
  namespaces: string[];
  /** Global element declarations → type id. */
  elements: Record<string, number>;
  types: Array<TypeModel | SimpleTypeModel>;
}

export interface SimpleTypeModel {
  kind: 'simple';
  /** XML Schema built-in the value space comes from (decimal, date, token, …). */
  base: string;
  enumeration?: string[];
  pattern?: string[];
}

export interface TypeModel {
  kind: 'complex';
  /** name → [simple type id, required]. */
  attrs: Record<string, [number, boolean]>;
  anyAttribute?: boolean;
  /** Simple content: type id of the text. */
  text?: number;
  content?: Particle;
  mixed?: boolean;
}

/** max -1 = unbounded. */
export type Particle =
  | { seq: Particle[]; min: number; max: number }
  | { choice: Particle[]; min: number; max: number }
  | { el: string; type?: number; min: number; max: number }
  | { any: string; pc: 'lax' | 'skip' | 'strict'; min: number; max: number };
