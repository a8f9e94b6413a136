// What `/bin/sh` is in a base image: the hidden variable of every shell-form CMD (research §2.1).
// dash stays the parent of `sh -c 'node x'`; busybox ash and bash exec the last simple command.

export type ShellFamily = 'dash' | 'busybox' | 'bash' | 'none' | 'unknown';

export interface BaseImage {
  /** As written after FROM (registry, name, tag). */
  reference: string;
  shellFamily: ShellFamily;
  /** The image's own ENTRYPOINT runs node (distroless nodejs): `CMD ["dist/server.js"]` is `node dist/server.js`. */
  nodeEntrypoint: boolean;
}

/** Classifies an image reference by the distribution it is built on; an ARG or a private image is unknown. */
export function baseImageOf(reference: string): BaseImage {
  const ref = reference.toLowerCase();
  const [path = '', tag = ''] = splitTag(ref);
  const name = path.split('/').pop() ?? '';
  const base: BaseImage = { reference, shellFamily: 'unknown', nodeEntrypoint: false };
  if (ref.includes('$')) return base;
  if (path.includes('distroless')) return { ...base, shellFamily: 'none', nodeEntrypoint: name.startsWith('nodejs') };
  if (/(^|[-.])alpine/.test(tag) || name === 'alpine' || name === 'busybox') return { ...base, shellFamily: 'busybox' };
  if (
    /^(ubi\d*|ubi\d*-minimal|rhel\d*|centos|fedora|amazonlinux|rockylinux|almalinux|oraclelinux)$/.test(name) ||
    path.includes('/ubi')
  ) {
    return { ...base, shellFamily: 'bash' };
  }
  if (name === 'debian' || name === 'ubuntu') return { ...base, shellFamily: 'dash' };
  // The official node images (and their mirrors): Debian unless the tag says alpine.
  if (
    name === 'node' &&
    (path === 'node' || path === 'library/node' || path.endsWith('/library/node') || path.split('/').length <= 2)
  ) {
    return { ...base, shellFamily: 'dash' };
  }
  return base;
}

function splitTag(ref: string): [string, string] {
  const withoutDigest = ref.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? [withoutDigest.slice(0, colon), withoutDigest.slice(colon + 1)] : [withoutDigest, ''];
}

export function describeShell(image: BaseImage): string {
  switch (image.shellFamily) {
    case 'dash':
      return `dash in ${image.reference}`;
    case 'busybox':
      return `busybox ash in ${image.reference}`;
    case 'bash':
      return `bash in ${image.reference}`;
    case 'none':
      return `no shell in ${image.reference}`;
    default:
      return `an unknown /bin/sh in ${image.reference}`;
  }
}
