// Viewer-location rules (targets.yaml redirects.viewer_location) as a step
// uses them: which source address stands for a declared viewer and which for
// a viewer no rule names, and which rule's URL a viewer should be sent to.
import { BlockList, isIPv4 } from 'node:net';
import type { ViewerLocationRule } from '../config/redirectsSchema.js';

/**
 * `from:` words a request step may use instead of an address: a viewer a rule with `to` names, a viewer no
 * rule names, a viewer the edge places in country XX (`viewer_in:DE`).
 */
export type ViewerWord = 'declared_viewer' | 'other_viewer' | `viewer_in:${string}`;
export const isViewerWord = (from: string): from is ViewerWord =>
  from === 'declared_viewer' || from === 'other_viewer' || /^viewer_in:[A-Z]{2}$/.test(from);

function blockOf(from: string): BlockList {
  const list = new BlockList();
  const [address = '', bits] = from.split('/');
  const family = isIPv4(address) ? 'ipv4' : 'ipv6';
  if (bits === undefined) list.addAddress(address, family);
  else list.addSubnet(address, Number(bits), family);
  return list;
}

function covers(rule: ViewerLocationRule, address: string): boolean {
  if (rule.from === undefined) return false;
  return blockOf(rule.from).check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

/** The rule that names this viewer address, if one does. */
export function ruleFor(address: string, rules: ViewerLocationRule[] = []): ViewerLocationRule | undefined {
  return rules.find((r) => covers(r, address));
}

/** The source address a `from:` word stands for, or why there is none. */
export function viewerAddress(
  word: ViewerWord,
  rules: ViewerLocationRule[] = [],
): { address: string } | { reason: string } {
  if (word !== 'other_viewer') {
    const country = word.startsWith('viewer_in:') ? word.slice('viewer_in:'.length) : undefined;
    const rule = rules.find((r) => r.from !== undefined && (country ? r.country === country : r.to !== undefined));
    if (!rule?.from) {
      const what = country ? `country: ${country}` : 'a URL (to:)';
      return { reason: `the target declares no viewer-location rule with a source address (from:) and ${what}` };
    }
    const [address = '', bits] = rule.from.split('/');
    // a block's first address past its network address, as a host in it would have
    if (bits === undefined || !isIPv4(address)) return { address };
    const n = address.split('.').map(Number);
    return { address: `${n[0]}.${n[1]}.${n[2]}.${(n[3] ?? 0) + (Number(bits) >= 31 ? 0 : 1)}` };
  }
  // a loopback address no rule covers: every 127.0.0.x routes to this host
  for (let last = 200; last < 255; last++) {
    const address = `127.0.0.${last}`;
    if (!rules.some((r) => covers(r, address))) return { address };
  }
  return { reason: 'every loopback address from 127.0.0.200 up is named by a viewer-location rule' };
}
