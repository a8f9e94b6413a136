// A platform file as the deploy checks read it: its text, and offsets turned into lines and
// columns. Every finding points into one of these, or into the code (a RelatedLocation).
import { readFileSync } from 'node:fs';

export interface DeployFile {
  /** Absolute path. */
  path: string;
  text: string;
}

/** [start, end) UTF-16 offsets into a DeployFile's text. */
export interface Span {
  file: DeployFile;
  start: number;
  end: number;
}

/** The other side of a finding: where the code sets what the platform is checked against. */
export interface RelatedLocation {
  path: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

const lineStartsCache = new WeakMap<DeployFile, number[]>();

function lineStarts(file: DeployFile): number[] {
  let starts = lineStartsCache.get(file);
  if (!starts) {
    starts = [0];
    for (let i = 0; i < file.text.length; i++) if (file.text.charCodeAt(i) === 10) starts.push(i + 1);
    lineStartsCache.set(file, starts);
  }
  return starts;
}

/** 1-based line and column of an offset. */
export function positionOf(file: DeployFile, offset: number): { line: number; column: number } {
  const starts = lineStarts(file);
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - starts[low]! + 1 };
}

/** The offset of a 0-based line and character (what dockerfile-ast ranges give). */
export function offsetOf(file: DeployFile, line: number, character: number): number {
  const starts = lineStarts(file);
  return Math.min((starts[line] ?? file.text.length) + character, file.text.length);
}

export function readDeployFile(path: string): DeployFile {
  return { path, text: readFileSync(path, 'utf8') };
}

export function spanOf(file: DeployFile, start: number, end: number): Span {
  return { file, start, end };
}

/** The whole first line of a file: where a finding about a defaulted value of the file goes. */
export function firstLine(file: DeployFile): Span {
  const end = file.text.indexOf('\n');
  return { file, start: 0, end: end < 0 ? file.text.length : end };
}
