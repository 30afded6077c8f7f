// Test harness for the document and POS routes: the chain's server (3 branches, 6 units) with every
// unit onboarded against a simulator on 127.0.0.1, whose clock the server shares.
import { bulkOnboard } from '../../src/egs/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { CHAIN_DEVICES, CHAIN_VAT, otpsFor, startFleetSimulator } from '../egs/helpers.js';
import { testServer, type Engine, type TestServer } from './helpers.js';

export interface OnboardedServer extends TestServer {
  sim: RunningSimulator;
}

export async function onboardedServer(
  engine: Engine,
  extra: Pick<Parameters<typeof testServer>[1] & object, 'sqliteFile' | 'mapStore' | 'metrics'> = {},
): Promise<OnboardedServer> {
  const sim = await startFleetSimulator();
  const s = await testServer(engine, { simulatorUrl: sim.url, clock: { now: () => sim.control.clock.now(), advance: () => undefined }, ...extra });
  const otps = otpsFor(sim, CHAIN_VAT, CHAIN_DEVICES.length);
  const results = await bulkOnboard(
    s.fleet,
    s.taxpayer,
    CHAIN_DEVICES.map((d, i) => ({ unit: d.name, otp: otps[i]! })),
  );
  if (results.some((r) => !r.ok)) throw new Error(`onboarding failed: ${JSON.stringify(results.filter((r) => !r.ok))}`);
  return {
    ...s,
    sim,
    close: async () => {
      await s.close();
      await sim.close();
    },
  };
}

/** A compact POS sale (VAT-inclusive prices). */
export const SALE = {
  lines: [
    { name: 'شاورما دجاج | Chicken shawarma', quantity: '2', unitPrice: '14.50' },
    { name: 'عصير برتقال | Orange juice', quantity: '1', unitPrice: '9.00' },
  ],
};

export const B2B_BUYER = {
  name: 'شركة المشتري المحدودة | Buyer LTD',
  vatNumber: '399999999800003',
  address: { street: 'Salah Al-Din', buildingNumber: '1111', district: 'Al-Murooj', city: 'Riyadh', postalCode: '12222' },
};
