// `fawtara init`: create the store in the data directory on purpose — with `taxpayers add` and
// `serve` the only commands that create one (a mistyped --data elsewhere is refused, not made).
import type { Io } from '../output.js';
import { print } from './fleet-output.js';
import { withFleet, type FleetCliOptions } from './fleet-session.js';

/** `fawtara init`: create the store in the data directory (the only commands that create one: CREATES_STORE). */
export async function init(opts: FleetCliOptions, io: Io): Promise<number> {
  return withFleet(
    opts,
    io,
    async (s) =>
      print(
        s.io,
        s.json,
        { store: s.ctx.store.location },
        () => `store ready: ${s.ctx.store.location}; next: fawtara taxpayers add --vat <VAT> --name-ar <name>`,
      ),
    { create: true },
  );
}
