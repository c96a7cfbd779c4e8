import { z } from 'zod';

/**
 * The machines of a multi-node run. The first node hosts torchrun's c10d rendezvous store.
 *
 * Every field reaches the system `ssh` client or a remote shell, and profiles from strangers are
 * hostile, so each is checked here: a host cannot start with `-` (it would be read as an ssh option
 * such as `-oProxyCommand=…`), user names are plain login names, and a node's interpreter and
 * checkout are absolute paths without shell metacharacters (or the bare `python3`).
 */
export const HOST_RE = /^(?![-.])[A-Za-z0-9._-]{1,253}$|^\[[0-9A-Fa-f:.]{2,45}\]$/;
export const USER_RE = /^[a-z_][a-z0-9_.-]{0,31}$/i;
/** Absolute, printable, no characters a POSIX shell treats specially inside or outside quotes. */
export const REMOTE_PATH_RE = /^\/[A-Za-z0-9._+/@%:,=~-]{0,1023}$/;
export const NODE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const nodeSchema = z
  .object({
    host: z.string().regex(HOST_RE, 'a host name or address: letters, digits, . _ -, not starting with - or .'),
    user: z.string().regex(USER_RE, 'a login name: letters, digits, _ . -').optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** Processes (ranks) on this node; default: the mode's processes per node. */
    gpus: z.number().int().min(1).max(64).optional(),
    python: z.union([z.literal('python3'), z.string().regex(REMOTE_PATH_RE, 'an absolute path on that node')]).optional(),
    checkout: z.string().regex(REMOTE_PATH_RE, 'an absolute path on that node').optional(),
  })
  .strict();

export type NodeSpec = z.output<typeof nodeSchema>;

export const nodesSchema = z
  .array(nodeSchema)
  .min(2, 'a multi-node run has at least 2 nodes')
  .max(64);

/** One node as `--node [USER@]HOST[:NPROC]` writes it; null with a reason when it is not one. */
export function parseNodeFlag(text: string): { node: NodeSpec } | { error: string } {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(text.trim());
  if (!m) return { error: `"${text}" is not [USER@]HOST[:NPROC]` };
  const raw: Record<string, unknown> = { host: m[2] };
  if (m[1] !== undefined) raw.user = m[1];
  if (m[3] !== undefined) raw.gpus = Number(m[3]);
  const r = nodeSchema.safeParse(raw);
  if (!r.success) return { error: `"${text}": ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return { node: r.data };
}

/** File-system-safe, unique names for the nodes (the log folder `logs/<node>/…`). */
export function nodeNames(nodes: readonly NodeSpec[]): string[] {
  const seen = new Map<string, number>();
  return nodes.map((n) => {
    const base = n.host.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '') || 'node';
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return (k === 1 ? base : `${base}-${k}`).slice(0, 64);
  });
}

/** A profile's nodes: which machines, never which program or folder on them (like MACHINE_KEYS). */
export const profileNodesSchema = z
  .array(nodeSchema.omit({ python: true, checkout: true }).strict())
  .min(2, 'a multi-node run has at least 2 nodes')
  .max(64);
