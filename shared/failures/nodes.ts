import type { CatalogEntry } from './catalog';

/**
 * Failure codes of runs across machines, as data (registered into CATALOG by catalog.ts; words in
 * shared/i18n/locales/nodes.ts `codes`). On a multi-node run the launcher's console carries every
 * node's output as `[node:NAME] …` lines and its own as `[lal] …` (resources/nodes/lal_nodes.py), so
 * each pattern takes the node from there: an explanation that names the machine, not only a rank.
 * Message texts follow torch/distributed/elastic (dynamic_rendezvous.py, c10d_rendezvous_backend.py),
 * gloo (transport/tcp/device.cc) and NCCL's bootstrap (init.cc). Version mismatches between nodes are
 * found before launch by the preflight (shared/nodes/preflight.ts); one that slips past it (a node
 * whose environment changed between preflight and launch, an LD_LIBRARY_PATH that loads another
 * libnccl in the ranks only) is named here from NCCL's own words on that node.
 */
export const NODE_FAILURE_CODES = ['NODE_LOST', 'NODE_NEVER_JOINED', 'NODE_HEARTBEAT', 'NODE_SOCKET_INTERFACE', 'NODE_PORT_BLOCKED', 'NODE_RENDEZVOUS_TIMEOUT', 'NODE_VERSION_MISMATCH'] as const;
export type NodeFailureCode = (typeof NODE_FAILURE_CODES)[number];

/**
 * `[node:gpu-b] ` in front of a node's line (the name is a host name made file-safe, shared/nodes/schema.ts),
 * then the message within the same line: wrapped lines are joined back before matching, and the
 * next line's prefix must not lend its node to the previous one's message.
 */
const NODE = String.raw`^\[node:(?<node>[A-Za-z0-9][\w.-]{0,63})\] (?:(?!\[node:).){0,300}?`;
const re = (src: string): RegExp => new RegExp(src);

export const NODE_CATALOG: CatalogEntry[] = [
  {
    code: 'NODE_LOST',
    priority: 6,
    scope: 'agent',
    trigger: /LAL_NODE_LOST/,
    // The launcher's own line when a node's ssh connection ended without its agent's exit report.
    patterns: [{ re: /\[lal\] LAL_NODE_LOST node=(?<node>\S{1,64}) host=(?<host>\S{1,253}) at=(?<at>\S{1,40}) ssh_exit=(?<sshExit>-?\d{1,4})/ }],
  },
  {
    code: 'NODE_NEVER_JOINED',
    priority: 7,
    scope: 'agent',
    trigger: /LAL_NODE_NEVER_JOINED/,
    patterns: [{ re: /\[lal\] LAL_NODE_NEVER_JOINED node=(?<node>\S{1,64}) host=(?<host>\S{1,253})/ }],
  },
  {
    code: 'NODE_SOCKET_INTERFACE',
    priority: 9,
    scope: 'agent',
    trigger: /Unable to find address for|no socket interface found|Bootstrap : no socket interface/,
    patterns: [
      { re: re(NODE + String.raw`Unable to find address for: (?<ifname>[\w.:-]{1,64})`) },
      { re: re(NODE + String.raw`(?:Bootstrap : )?no socket interface found`) },
    ],
  },
  {
    code: 'NODE_PORT_BLOCKED',
    priority: 38,
    scope: 'agent',
    trigger: /client socket has timed out|Connection refused|No route to host/,
    patterns: [
      { re: re(NODE + String.raw`The client socket has timed out after (?<seconds>\d+)s while trying to connect to \(?(?<host>[^,\s)]{1,200})(?:, |:)(?<port>\d+)\)?`) },
      { re: re(NODE + String.raw`(?:Connection refused|No route to host)`), weak: true },
    ],
  },
  {
    code: 'NODE_HEARTBEAT',
    priority: 39,
    scope: 'agent',
    trigger: /keep-alive heartbeat/,
    patterns: [
      { re: re(NODE + String.raw`The node '(?<agentId>[^']{1,200})' has failed to send a keep-alive heartbeat to the rendezvous '(?<rdzv>[^']{1,100})'`), consequence: true },
    ],
  },
  {
    code: 'NODE_RENDEZVOUS_TIMEOUT',
    priority: 41,
    scope: 'agent',
    trigger: /RendezvousTimeoutError/,
    patterns: [{ re: re(NODE + String.raw`RendezvousTimeoutError`) }],
  },
  {
    code: 'NODE_VERSION_MISMATCH',
    // Before the single-machine NCCL_MISMATCH (29): on a multi-node run the node is the useful part.
    priority: 28,
    scope: 'rank',
    trigger: /Mismatched NCCL version|undefined symbol: nccl/,
    patterns: [
      // NCCL's WARN when ranks loaded different libraries (version codes: 21405 = 2.14.5).
      { re: re(NODE + String.raw`Mismatched NCCL version detected : rank (?<rankA>\d+) version (?<versionA>\d+) rank (?<rankB>\d+) version (?<versionB>\d+)`) },
      // A node whose libnccl is not the one its torch was built against fails at `import torch`.
      { re: re(NODE + String.raw`libtorch_cuda\.so: undefined symbol: (?<symbol>nccl\w+)`) },
    ],
    supersedes: ['NCCL_MISMATCH', 'NCCL_ERROR'],
  },
];
