import type { RunSpec } from '../../../shared/run/types';

/**
 * Hosts the user agreed to ssh to in this window (sent as allowNodes with planRun/startRun): hosts
 * typed into the Machines rows, ticked in its consent box, or of a run that already ran here (a
 * rerun). A profile's own nodes are never on this list until the user ticks them
 * (shared/nodes/consent.ts says why). Kept apart from the store so the wizard's run calls only add
 * `allowNodes: allowedNodes()`.
 */
let typed: string[] = [];
const ticked = new Set<string>();

/** The hosts of the rows the user typed or edited (replaces the previous list). */
export function setTypedHosts(hosts: string[]): void {
  typed = hosts.filter(Boolean);
}

export function setNodeConsent(host: string, allowed: boolean): void {
  if (allowed) ticked.add(host);
  else ticked.delete(host);
}

/** A run that started here had its nodes consented: a rerun of it keeps that. */
export function consentNodesOf(spec: RunSpec): void {
  for (const n of spec.nodes ?? []) ticked.add(n.host);
}

export function allowedNodes(): string[] {
  return [...new Set([...typed, ...ticked])];
}
