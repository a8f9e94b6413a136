// Images built from the Dockerfiles found: a compose service with `build:`, or a Kubernetes or
// ECS container whose image is not a public base, runs one of them.
import { basename, dirname, join, resolve } from 'node:path';
import type { DockerStage } from './readers/dockerfile.js';
import type { DeployFile } from './source.js';
import type { Launch } from './units.js';
import { readPackageJson } from './process-chain.js';

export interface BuiltImage {
  file: DeployFile;
  /** The stage the image is built from: the last one, unless a target names another. */
  stage: DockerStage;
  stages: DockerStage[];
  launch: Launch | undefined;
  production: boolean;
}

const publicBases =
  /^(docker\.io\/)?(library\/)?(node|alpine|busybox|debian|ubuntu|nginx|redis|postgres|mysql|mongo|rabbitmq|memcached|traefik|envoyproxy\/envoy|gcr\.io\/distroless\/.*)(:|@|$)/;

/**
 * A database, cache, broker or tool image (postgres, redis, clickhouse, kafka, minio...), not one
 * of the repository's own services: a unit that runs it runs none of the repository's code.
 */
export function isThirdPartyImage(reference: string): boolean {
  const ref = reference.toLowerCase();
  if (publicBases.test(ref)) return true;
  const name =
    ref
      .split('@')[0]!
      .replace(/:[^/]*$/, '')
      .split('/')
      .pop() ?? '';
  return thirdPartyImage.test(name);
}

const thirdPartyImage =
  /^(postgres(ql)?|postgis|pgvector|timescaledb|redis(-stack)?(insight)?|valkey|keydb|dragonfly|mysql|mariadb|mongo(db)?|clickhouse(-server)?|kafka|cp-kafka|zookeeper|cp-zookeeper|rabbitmq|nats|minio|mc|localstack|elasticsearch|opensearch|meilisearch|typesense|chroma|qdrant|memcached|mailhog|mailpit|maildev|jaeger|all-in-one|prometheus|grafana|otel(-collector)?(-contrib)?|opentelemetry-collector(-contrib)?|nginx|caddy|traefik|haproxy|envoy|pgadmin4?|adminer|redpanda|console|kafka-ui)$/;

/** The image a compose `build:` names (context, optional dockerfile). */
export function imageForBuild(
  images: readonly BuiltImage[],
  composeDir: string,
  context: string,
  dockerfile?: string,
): BuiltImage | undefined {
  const path = resolve(composeDir, context, dockerfile ?? 'Dockerfile');
  return (
    images.find((i) => i.file.path === path) ??
    images.find((i) => dirname(i.file.path) === resolve(composeDir, context) && i.production)
  );
}

/** The image a `image: org/api:1.2` reference most likely is: one built here, matched by name, or the only one. */
export function imageForReference(
  images: readonly BuiltImage[],
  reference: string,
): { image: BuiltImage; assumed: boolean } | undefined {
  if (!reference || publicBases.test(reference)) return undefined;
  const production = images.filter((i) => i.production);
  const name =
    reference
      .split('@')[0]!
      .replace(/:[^/]*$/, '')
      .split('/')
      .pop() ?? '';
  // `org/api`, `examplevotingapp_result`, `orders-api` against the folder (or file prefix) of each Dockerfile.
  const matches = (folder: string) => name === folder || name.endsWith(`_${folder}`) || name.endsWith(`-${folder}`);
  // Or the package the Dockerfile builds: `ghcr.io/org/garbo` and a root Dockerfile beside a
  // package.json named garbo.
  const byName = production.filter(
    (i) =>
      matches(basename(dirname(i.file.path))) ||
      basename(i.file.path).toLowerCase().startsWith(`${name}.`) ||
      packageNameAt(dirname(i.file.path)) === name,
  );
  if (byName.length === 1) return { image: byName[0]!, assumed: true };
  // Several in one folder (Dockerfile, Dockerfile.base, Dockerfile.dev): the plain Dockerfile.
  const plain = byName.filter((i) => basename(i.file.path) === 'Dockerfile');
  if (plain.length === 1) return { image: plain[0]!, assumed: true };
  if (production.length === 1) return { image: production[0]!, assumed: true };
  return undefined;
}

/** The unscoped `name` of the package.json in `folder`, if it has one (else the folder name is all there is). */
function packageNameAt(folder: string): string | undefined {
  const name = readPackageJson(join(folder, 'package.json'))?.name;
  return typeof name === 'string' ? name.replace(/^@[^/]+\//, '') : undefined;
}
