import * as z from 'zod';

const NETWORK_MESSAGE = 'expected auto, bridge, host or the name of a docker network';

/** `docker:` block (platform: docker), with its defaults. See docs/docker-platform.md. */
export const DockerSchema = z
  .strictObject({
    image: z.string().min(1).optional().describe('A prebuilt image to deploy instead of building the Dockerfile.'),
    dockerfile: z.string().min(1).default('Dockerfile').describe('Dockerfile, relative to the project root.'),
    port: z.number().int().min(1).max(65535).default(3000).describe('Port the app listens on inside the container.'),
    network: z
      .string({ error: NETWORK_MESSAGE })
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: NETWORK_MESSAGE })
      .default('auto')
      .describe('Where containers listen: bridge (published on 127.0.0.1), host, a named docker network, or auto (bridge when the engine has one, else host). SHIPGATE_DOCKER_NETWORK overrides it.'),
  })
  .describe('Docker platform settings (platform: docker).');

export type RawDocker = z.input<typeof DockerSchema>;

export type DockerNetwork = 'auto' | 'bridge' | 'host' | { name: string };

/** The `docker:` section with the schema's defaults. */
export interface DockerSettings {
  image: string | null;
  dockerfile: string;
  port: number;
  network: DockerNetwork;
}

export function resolveDocker(raw: RawDocker | undefined): DockerSettings {
  const d = DockerSchema.parse(raw ?? {});
  return { image: d.image ?? null, dockerfile: d.dockerfile, port: d.port, network: toNetwork(d.network) };
}

export function toNetwork(name: string): DockerNetwork {
  return name === 'auto' || name === 'bridge' || name === 'host' ? name : { name };
}
