import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { tempDir } from '../../support/temp';
import { SYS_PYTHON, coreOnNet, namespacesUsable, testNet } from './netns';

/**
 * "Trust this host key" (issue 18): a machine whose host key is not in known_hosts fails the
 * preflight; the launcher scans its keys, shows the SHA256 fingerprint (the one `ssh-keygen -lf`
 * prints for the machine's own key file), and appends the key only for the fingerprint the user
 * confirmed. Then ssh (BatchMode) gets in.
 */
const usable = namespacesUsable();
const title = usable.ok ? 'trust a host key (network namespaces)' : `trust a host key — SKIPPED: cannot create network namespaces here (${usable.why})`;
// Its own machines (lalk-n0, lalk-n1 on 10.231.3.0/24).
const net = testNet('lalk', 3, '/tmp/lal-netns-hostkey');

describe.skipIf(!usable.ok)(title, () => {
  const dir = tempDir('lal-hostkey-');
  const knownHosts = join(dir.path, 'known_hosts');
  const config = join(dir.path, 'ssh_config');
  // The harness's config, but with a known_hosts that knows neither machine: a first connection.
  const core = coreOnNet(net, dir, {
    n: 2,
    sshConfig: () => config,
    prepare: () => {
      writeFileSync(config, readFileSync(net.sshConfig, 'utf8').split(join(net.state, 'known_hosts')).join(knownHosts));
      writeFileSync(knownHosts, '');
    },
  });

  const sshIn = (host: string) => execaSync('ssh', ['-F', config, '-o', 'BatchMode=yes', '--', host, 'true'], { reject: false }).exitCode;

  it('unknown key → preflight says so; scan shows the real fingerprint; a wrong one is refused; the confirmed one is appended and ssh gets in', async () => {
    const spec = { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { device: 'cpu', scale: 'tiny' }, python: SYS_PYTHON, nodes: [{ host: net.host(0) }, { host: net.host(1) }] };
    const pf = await core().api.preflightNodes({ spec, allowNodes: [net.host(0), net.host(1)], lang: 'en' });
    expect(pf.checks.filter((c) => c.id === 'sshHostKey').map((c) => c.node)).toEqual([net.host(0), net.host(1)]);
    expect(sshIn(net.host(0))).not.toBe(0);

    const scan = await core().api.scanHostKey({ host: net.host(0) });
    // The fingerprint the machine's owner reads from its own key file.
    const own = String(execaSync('ssh-keygen', ['-lf', join(net.state, `${net.host(0)}.host_key.pub`)]).stdout).split(' ')[1];
    expect(scan).toMatchObject({ host: net.host(0), address: '10.231.3.10', port: 22, knownHostsFile: knownHosts });
    expect(scan.keys).toContainEqual({ type: 'ssh-ed25519', fingerprint: own });
    expect(readFileSync(knownHosts, 'utf8')).toBe('');

    const other = String(execaSync('ssh-keygen', ['-lf', join(net.state, `${net.host(1)}.host_key.pub`)]).stdout).split(' ')[1]!;
    await expect(core().api.trustHostKey({ host: net.host(0), fingerprint: other })).rejects.toMatchObject({ error: { code: 'CONFLICT', field: 'fingerprint' } });
    expect(readFileSync(knownHosts, 'utf8')).toBe('');

    const t = await core().api.trustHostKey({ host: net.host(0), fingerprint: own! });
    expect(t).toEqual({ added: { type: 'ssh-ed25519', fingerprint: own }, knownHostsFile: knownHosts });
    expect(readFileSync(knownHosts, 'utf8')).toMatch(new RegExp(`^${net.host(0)},10\\.231\\.3\\.10 ssh-ed25519 \\S+\\n$`));
    expect(sshIn(net.host(0))).toBe(0);
    // Trusting twice adds nothing; the other machine is still unknown.
    await core().api.trustHostKey({ host: net.host(0), fingerprint: own! });
    expect(readFileSync(knownHosts, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(sshIn(net.host(1))).not.toBe(0);
  }, 120_000);

  it('a host that is not a host name is refused before any process runs', async () => {
    await expect(core().api.scanHostKey({ host: '-oProxyCommand=touch /tmp/lal-pwned' })).rejects.toMatchObject({ error: { code: 'BAD_INPUT', field: 'host' } });
    expect(existsSync('/tmp/lal-pwned')).toBe(false);
  });
});
