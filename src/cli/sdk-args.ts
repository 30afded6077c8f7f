// The `fatoora` SDK's own spellings (`-sign -invoice X -signedInvoice Y`, `-nonprod`, …), turned
// into Fawtara's commands so scripts written for the Java SDK work by changing the program name.

const COMMANDS: Record<string, string> = {
  '-sign': 'sign',
  '-generateHash': 'generate-hash',
  '-qr': 'qr',
  '-csr': 'csr',
  '-invoiceRequest': 'invoice-request',
  '-validate': 'validate',
};

const OPTIONS: Record<string, string[]> = {
  '-invoice': ['--invoice'],
  '-signedInvoice': ['--signed-invoice'],
  '-csrConfig': ['--csr-config'],
  '-privateKey': ['--private-key'],
  '-generatedCsr': ['--generated-csr'],
  '-pem': ['--pem'],
  '-apiRequest': ['--api-request'],
  // The SDK's environment switches: developer portal (non-production) and simulation.
  '-nonprod': ['--env', 'sandbox'],
  '-sim': ['--env', 'simulation'],
  '-help': ['--help'],
  '-version': ['--version'],
};

/** Spellings the SDK accepts on their own, with or without a command. */
const ALONE: Record<string, string> = { '-help': '--help', '-version': '--version' };

/** True when argv uses the SDK's single-dash spelling. */
export function isSdkStyle(args: readonly string[]): boolean {
  return args.some((a) => a in COMMANDS);
}

/** Rewrite SDK-style arguments; the command moves to the front whatever its position. */
export function translateSdkArgs(args: readonly string[]): string[] {
  if (!isSdkStyle(args)) return args.map((a) => ALONE[a] ?? a);
  const command = args.find((a) => a in COMMANDS)!;
  const rest: string[] = [];
  for (const a of args) {
    if (a === command) continue;
    rest.push(...(OPTIONS[a] ?? [a]));
  }
  return [COMMANDS[command]!, ...rest];
}
