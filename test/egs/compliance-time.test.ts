// The compliance samples a unit submits while onboarding carry KSA local issue times, written by the
// same helper issuing uses (src/model/ksa-time.ts), not the UTC clock.
import { describe, expect, it } from 'vitest';
import { COMPLIANCE_STEPS, complianceDocumentJson } from '../../src/egs/compliance-documents.js';
import { issueDateTime } from '../../src/issuing/index.js';
import { issueDateTime as modelIssueDateTime } from '../../src/model/index.js';

describe('compliance sample documents', () => {
  it('write the issue date and time in KSA local time, as issuing does', () => {
    // 22:30 UTC is 01:30 the next day in Riyadh (UTC+3): the date changes too.
    const now = new Date('2026-03-01T22:30:15.250Z');
    const ctx = {
      taxpayer: { vat_number: '310122393500003', name_ar: 'مطاعم', name_en: null },
      branch: { crn: '1010010001', street: 'S', building_number: '2322', district: 'D', city: 'Riyadh', postal_code: '23333' },
      unit: { name: 'RUH-POS-1' },
      now,
      sequence: 1,
    } as never;
    expect(issueDateTime).toBe(modelIssueDateTime);
    for (const step of COMPLIANCE_STEPS) {
      const json = complianceDocumentJson(step, ctx);
      expect({ issueDate: json.issueDate, issueTime: json.issueTime }, step.step).toEqual(issueDateTime(now));
      expect([json.issueDate, json.issueTime]).toEqual(['2026-03-02', '01:30:15']);
    }
  });
});
