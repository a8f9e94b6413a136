// Dockerfiles through dockerfile-ast: each stage's base image, ENTRYPOINT and CMD (exec or shell
// form, inherited from a parent stage), STOPSIGNAL, ENV and WORKDIR, with their ranges.
import { DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { dirname } from 'node:path';
import { baseImageOf, type BaseImage } from '../base-image.js';
import { offsetOf, type DeployFile, type Span } from '../source.js';
import type { Launch } from '../units.js';

export interface DockerCommand {
  /** Exec form: the JSON strings; shell form: the text after the keyword. */
  words: string[];
  shellForm: boolean;
  text: string;
  span: Span;
}

export interface DockerStage {
  name: string | undefined;
  index: number;
  /** The FROM instruction. */
  span: Span;
  image: BaseImage;
  entrypoint?: DockerCommand;
  cmd?: DockerCommand;
  stopSignal?: { value: string; span: Span };
  env: Map<string, { value: string; span: Span }>;
  workdir?: string;
  isFinal: boolean;
}

function spanOfInstruction(file: DeployFile, instruction: Instruction): Span {
  const range = instruction.getRange();
  return {
    file,
    start: offsetOf(file, range.start.line, range.start.character),
    end: offsetOf(file, range.end.line, range.end.character),
  };
}

function commandOf(file: DeployFile, instruction: Instruction): DockerCommand {
  const json = (instruction as JSONInstruction).getJSONStrings?.() ?? [];
  const text = instruction.getArgumentsContent() ?? '';
  const shellForm = json.length === 0 && !text.trim().startsWith('[');
  return {
    // getJSONValue() drops the spaces inside a string (dockerfile-ast 0.7.1): read the string's own text.
    words: shellForm ? [text.replace(/\s+/g, ' ').trim()] : json.map((j) => jsonString(file, j.getRange())),
    shellForm,
    text,
    span: spanOfInstruction(file, instruction),
  };
}

function jsonString(
  file: DeployFile,
  range: { start: { line: number; character: number }; end: { line: number; character: number } },
): string {
  const raw = file.text.slice(
    offsetOf(file, range.start.line, range.start.character),
    offsetOf(file, range.end.line, range.end.character),
  );
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.replace(/^"|"$/g, '');
  }
}

export function readDockerfile(file: DeployFile): DockerStage[] {
  const dockerfile = DockerfileParser.parse(file.text);
  const stages: DockerStage[] = [];
  let current: DockerStage | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      const from = instruction as unknown as { getImage(): string | null; getBuildStage(): string | null };
      // `FROM build_${BUILD_ENV}` with `ARG BUILD_ENV=git` before the first FROM names the stage build_git.
      const reference = resolveArgs(from.getImage() ?? '', dockerfile.getInitialARGs());
      const parent = stages.find((s) => s.name !== undefined && s.name.toLowerCase() === reference.toLowerCase());
      current = {
        name: from.getBuildStage() ?? undefined,
        index: stages.length,
        span: spanOfInstruction(file, instruction),
        // A stage built FROM another inherits its image config: base image, ENTRYPOINT, CMD, STOPSIGNAL, ENV.
        image: parent ? parent.image : baseImageOf(reference),
        ...(parent?.entrypoint ? { entrypoint: parent.entrypoint } : {}),
        ...(parent?.cmd ? { cmd: parent.cmd } : {}),
        ...(parent?.stopSignal ? { stopSignal: parent.stopSignal } : {}),
        env: new Map(parent?.env ?? []),
        ...(parent?.workdir ? { workdir: parent.workdir } : {}),
        isFinal: false,
      };
      stages.push(current);
      continue;
    }
    if (!current) continue;
    switch (keyword) {
      case 'CMD':
        current.cmd = commandOf(file, instruction);
        break;
      case 'ENTRYPOINT':
        current.entrypoint = commandOf(file, instruction);
        // A new ENTRYPOINT resets the CMD inherited from the base image.
        if (current.cmd && current.cmd.span.start < current.entrypoint.span.start && current.cmd.span.file !== file)
          delete current.cmd;
        break;
      case 'STOPSIGNAL':
        current.stopSignal = {
          value: (instruction.getArgumentsContent() ?? '').trim(),
          span: spanOfInstruction(file, instruction),
        };
        break;
      case 'WORKDIR': {
        const dir = (instruction.getArgumentsContent() ?? '').trim();
        current.workdir =
          dir.startsWith('/') || !current.workdir ? dir : `${current.workdir.replace(/\/$/, '')}/${dir}`;
        break;
      }
      case 'ENV': {
        const properties = (
          instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }
        ).getProperties();
        for (const p of properties)
          current.env.set(p.getName(), { value: p.getValue() ?? '', span: spanOfInstruction(file, instruction) });
        break;
      }
    }
  }
  if (stages.length) stages[stages.length - 1]!.isFinal = true;
  return stages;
}

/** `FROM node:${NODE_VERSION}-slim` with `ARG NODE_VERSION=22` before the first FROM (the only ARGs a FROM sees). */
function resolveArgs(
  reference: string,
  args: readonly { getProperty(): { getName(): string; getValue(): string | null } | null }[],
): string {
  return reference.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => {
    const arg = args.find((a) => a.getProperty()?.getName() === name);
    const value = arg?.getProperty()?.getValue();
    return value ? value : whole;
  });
}

/** The main process of a stage (§1.3): ENTRYPOINT + CMD in exec form; a shell-form ENTRYPOINT ignores CMD. */
export function launchOfStage(file: DeployFile, stage: DockerStage): Launch | undefined {
  const { entrypoint, cmd } = stage;
  const cwd = dirname(file.path);
  const base = { cwd, ...(stage.workdir ? { workdir: stage.workdir } : {}) };
  if (entrypoint?.shellForm)
    return {
      ...base,
      argv: ['/bin/sh', '-c', entrypoint.words[0]!],
      shellForm: true,
      span: entrypoint.span,
      source: 'ENTRYPOINT',
    };
  // Behind an init or an entrypoint script, the CMD is what names the app: report there.
  const handsOver =
    entrypoint !== undefined && /(^|\/)(tini|dumb-init|docker-init)$|\.sh$/.test(entrypoint.words[0] ?? '');
  if (entrypoint && cmd && !cmd.shellForm) {
    return {
      ...base,
      argv: [...entrypoint.words, ...cmd.words],
      shellForm: false,
      span: handsOver ? cmd.span : entrypoint.span,
      source: handsOver ? 'CMD' : 'ENTRYPOINT',
    };
  }
  if (entrypoint && cmd)
    return {
      ...base,
      argv: [...entrypoint.words, '/bin/sh', '-c', cmd.words[0]!],
      shellForm: false,
      span: cmd.span,
      source: 'CMD',
    };
  if (entrypoint)
    return { ...base, argv: [...entrypoint.words], shellForm: false, span: entrypoint.span, source: 'ENTRYPOINT' };
  if (cmd)
    return {
      ...base,
      argv: cmd.shellForm ? ['/bin/sh', '-c', cmd.words[0]!] : [...cmd.words],
      shellForm: cmd.shellForm,
      span: cmd.span,
      source: 'CMD',
    };
  return undefined;
}
