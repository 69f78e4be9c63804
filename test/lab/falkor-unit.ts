// A FalkorDB unit that lab tests install on a host (and remove after): the server and module where
// an operator installs them, the password in a 0600 config file, never on a command line.
import type { Lab } from '../helpers/lab.js';

export const FALKOR_UNIT = 'falkordb-labtest';
/** Not 6379: a deploy under test may own that port on the same lab host. */
export const FALKOR_PORT = 16379;

export const falkorUnit = (name: string) => `[Unit]
Description=FalkorDB installed by a lab test
After=network.target
[Service]
ExecStart=/opt/falkordb/bin/redis-server /etc/${name}.conf
Restart=on-failure
[Install]
WantedBy=multi-user.target
`;

export const falkorConf = (address: string, password: string, name: string) => `bind ${address} 127.0.0.1
port ${FALKOR_PORT}
dir /var/lib/${name}
save ""
appendonly no
requirepass ${password}
masterauth ${password}
loadmodule /opt/falkordb/lib/falkordb.so
`;

/** Writes the unit and its config (password in a 0600 file, never argv) and starts it. */
export async function installFalkor(lab: Lab, host: string, name = FALKOR_UNIT): Promise<void> {
  const h = lab.host(host);
  const put = async (path: string, mode: string, body: string) => {
    // stdin arrives as a socket, which /dev/stdin cannot reopen: let the shell read it instead.
    const script = 'umask 077 && mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"';
    const r = await lab.exec(host, ['sh', '-c', script, 'put', path, mode], { input: body });
    if (r.exitCode !== 0) throw new Error(`writing ${path} on ${host}: ${r.stderr}`);
  };
  await put(`/etc/${name}.conf`, '0600', falkorConf(h.address, lab.password(), name));
  await put(`/etc/systemd/system/${name}.service`, '0644', falkorUnit(name));
  await lab.exec(host, ['mkdir', '-p', `/var/lib/${name}`]);
  const r = await lab.exec(host, ['systemctl', 'daemon-reload']);
  if (r.exitCode !== 0) throw new Error(`daemon-reload on ${host}: ${r.stderr}`);
  const s = await lab.exec(host, ['systemctl', 'start', `${name}.service`]);
  if (s.exitCode !== 0) throw new Error(`starting ${name} on ${host}: ${s.stderr}`);
}

export async function removeFalkor(lab: Lab, host: string, name = FALKOR_UNIT): Promise<void> {
  await lab.exec(host, ['systemctl', 'stop', `${name}.service`]);
  await lab.exec(host, ['rm', '-rf', `/etc/systemd/system/${name}.service`, `/etc/${name}.conf`, `/var/lib/${name}`]);
  await lab.exec(host, ['systemctl', 'daemon-reload']);
}
