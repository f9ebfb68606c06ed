// The SSH area of the core: per-context SSH settings, the connection test, trusting a checked
// host key, and giving a key passphrase when asked.
import type { AreaHandlers, RoadsideService } from '../service';
import { RoadsideError } from '../errors';

type SshChannel = 'ssh.settings.get' | 'ssh.settings.set' | 'ssh.test' | 'ssh.hostKey.trust' | 'ssh.secret.provide';

function viewConfig(service: RoadsideService, context: string) {
  try {
    return service.contextKubeConfig(context).kc;
  } catch {
    return undefined;
  }
}

export function createSshHandlers(service: RoadsideService): AreaHandlers<SshChannel> {
  return {
    'ssh.settings.get': async ({ context }) => service.ssh.view(context, viewConfig(service, context)),
    'ssh.settings.set': async ({ context, settings }) => {
      if (settings?.nodes) {
        for (const [node, address] of Object.entries(settings.nodes.addresses)) {
          if (!address.trim()) throw new RoadsideError('invalid-input', `the address of node ${node} is empty`);
        }
      }
      service.ssh.saveSettings(context, settings);
      return service.ssh.view(context, viewConfig(service, context));
    },
    'ssh.test': async ({ context, nodes }) => {
      const { name, kc } = service.contextKubeConfig(context);
      return service.ssh.test(name, kc, nodes?.length ? { nodes } : {});
    },
    'ssh.hostKey.trust': async ({ host, port, fingerprint }) => service.ssh.trustHostKey(host, port, fingerprint),
    'ssh.secret.provide': async ({ keyFile, passphrase, remember }) => service.ssh.provideSecret(keyFile, passphrase, remember),
  };
}
