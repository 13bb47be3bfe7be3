// expect.denial: why the edge refused a signature, as its body says it
// (CloudFront's XML Code). A scheme whose edges say no reason leaves the
// refusal to `status:`; the record says the reason went unstated.
import type { Expect } from '../config/expectSchema.js';
import { fail, type ExpectationCheck } from './observation.js';

export const denial: ExpectationCheck<NonNullable<Expect['denial']>> = (expected, obs) => {
  const said = obs.denial;
  if (said === undefined) return fail('denial', expected, 'the target declares no signing');
  if (said === 'unstated') return [];
  if (said === null) return fail('denial', expected, `no refusal in the answer (status ${obs.response.status})`);
  if (said.reason === expected) return [];
  return fail('denial', expected, said.message ? `${said.code}: ${said.message}` : said.code);
};
