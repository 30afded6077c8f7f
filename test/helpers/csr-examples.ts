// The values of the SDK's csr-config-example-EN.properties as docs/zatca-notes.md §8's table lists them (facts,
// not ZATCA's file): one copy for every test that needs a realistic CSR configuration.
import type { CsrConfig } from '../../src/crypto/csr-config.js';

export const EXAMPLE_EN: CsrConfig = {
  commonName: 'TST-886431145-399999999900003',
  serialNumber: '1-TST|2-TST|3-ed22f1d8-e6a2-1118-9b58-d9a8f11e445f',
  organizationIdentifier: '399999999900003',
  organizationUnitName: 'Riyadh Branch',
  organizationName: 'Maximum Speed Tech Supply LTD',
  countryName: 'SA',
  invoiceType: '1100',
  locationAddress: 'RRRD2929',
  industryBusinessCategory: 'Supply activities',
};
