// `fawtara simulator`: runs the local ZATCA platform on 127.0.0.1 until interrupted, printing the
// gateway base URLs to point Fawtara (or any ZATCA client) at.
import { FawtaraError } from '../../errors.js';
import { startSimulator } from '../../simulator/index.js';
import { EXIT, type Io } from '../output.js';

export interface SimulatorOptions {
  port: string;
  data?: string;
  seed?: string;
  json?: boolean;
  /** The developer-portal environment behaves as ZATCA's real sandbox (docs/simulator.md). */
  developerPortal?: boolean;
}

function wholeNumber(value: string, option: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new FawtaraError('USAGE', `${option} must be a whole number from 0 to ${max} (got "${value}")`, {
      field: option,
      messageAr: `${option} يجب أن يكون رقماً صحيحاً`,
    });
  }
  return Number(value);
}

export async function simulatorCommand(opts: SimulatorOptions, io: Io): Promise<number> {
  const port = wholeNumber(opts.port, '--port', 65535);
  const seed = opts.seed === undefined ? undefined : wholeNumber(opts.seed, '--seed', 2 ** 31);
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({
      port,
      host: '127.0.0.1',
      ...(opts.data && { dataDir: opts.data }),
      ...(seed !== undefined && { seed }),
      ...(opts.developerPortal && { behaviour: 'developer-portal' as const }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new FawtaraError('USAGE', `port ${port} on 127.0.0.1 is in use; choose another with --port (0 picks a free one)`, {
        field: '--port',
        messageAr: `المنفذ ${port} مستخدم؛ اختر منفذاً آخر`,
      });
    }
    throw error;
  }
  const urls = {
    sandbox: `${sim.url}/e-invoicing/developer-portal`,
    simulation: `${sim.url}/e-invoicing/simulation`,
    production: `${sim.url}/e-invoicing/core`,
  };
  if (opts.json) io.out(JSON.stringify({ ok: true, url: sim.url, gateways: urls, control: `${sim.url}/__sim/<environment>/`, dataDir: opts.data ?? null }));
  else {
    io.out(
      [
        `ZATCA simulator listening on ${sim.url}${opts.data ? ` (state in ${opts.data})` : ' (state in memory; use --data DIR to keep it)'}`,
        `  developer portal (sandbox): ${urls.sandbox}${opts.developerPortal ? "  (as ZATCA's sandbox: canned certificate, OTP 123345)" : ''}`,
        `  simulation:                 ${urls.simulation}`,
        `  core (production):          ${urls.production}`,
        `  portal / control API:       ${sim.url}/__sim/<environment>/  (docs/simulator.md)`,
        'Press Ctrl+C to stop.',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void sim!.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.ok;
}
