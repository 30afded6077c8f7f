// `--zatca`: the local simulator, a real environment (which must match the unit's), or a base URL —
// how a fleet command picks the gateway for a unit.
import { describe, expect, it } from 'vitest';
import { zatcaTarget } from '../../src/cli/commands/fleet-session.js';

describe('--zatca target', () => {
  it('maps simulator, environments and URLs to the unit environment base URL', () => {
    expect(zatcaTarget('simulator', {})('simulation').baseUrl).toBe('http://127.0.0.1:8443/e-invoicing/simulation');
    expect(zatcaTarget('simulator', { FAWTARA_SIMULATOR_URL: 'http://127.0.0.1:9000' })('sandbox').baseUrl).toBe(
      'http://127.0.0.1:9000/e-invoicing/developer-portal',
    );
    expect(zatcaTarget('production', {})('production').baseUrl).toBe('https://gw-fatoora.zatca.gov.sa/e-invoicing/core');
    expect(() => zatcaTarget('production', {})('simulation')).toThrow(/use --zatca simulation/);
    expect(zatcaTarget('http://10.0.0.1:8443', {})('production').baseUrl).toBe('http://10.0.0.1:8443/e-invoicing/core');
    expect(zatcaTarget('https://gw.example/e-invoicing/simulation', {})('simulation').baseUrl).toBe('https://gw.example/e-invoicing/simulation');
    expect(() => zatcaTarget('https://gw.example/e-invoicing/simulation', {})('production')).toThrow(/environment/);
    expect(() => zatcaTarget('ftp://x', {})).toThrow(/--zatca must be/);
  });
});
