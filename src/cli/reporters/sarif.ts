// SARIF 2.1.0, the format GitHub code scanning (and most security dashboards) ingest.
// Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LintMessage, LintResult, ReportContext, Reporter } from '../results.js';

const SRCROOT = '%SRCROOT%';
const INFORMATION_URI = 'https://www.npmjs.com/package/shutdown-lint';

type Level = 'error' | 'warning';

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
  index?: number;
}

interface Region {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

interface Location {
  physicalLocation: { artifactLocation: ArtifactLocation; region?: Region };
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: Level;
  message: { text: string };
  locations: Location[];
  relatedLocations?: (Location & { id: number; message: { text: string } })[];
  suppressions?: { kind: 'inSource'; justification?: string }[];
}

interface Notification {
  level: Level;
  message: { text: string };
  locations: Location[];
}

function level(severity: 1 | 2): Level {
  return severity === 2 ? 'error' : 'warning';
}

/** Rule ids in results are ESLint names (`shutdown/<id>`); context.rules may carry either form. */
function qualifiedRuleId(id: string): string {
  return id.startsWith('shutdown/') ? id : `shutdown/${id}`;
}

/**
 * Files under cwd get a URI relative to %SRCROOT% so the log does not depend on where the checkout
 * lives (GitHub resolves them against the repository root). A relative reference is percent-encoded
 * per segment (RFC 3986): a space or `%` in a name must not survive raw, and a `:` in the
 * first segment would otherwise read as a URI scheme. Files elsewhere get an absolute file: URI.
 */
function artifactLocation(filePath: string, cwd: string): ArtifactLocation {
  const absolute = path.resolve(cwd, filePath);
  const relative = path.relative(cwd, absolute);
  const outside =
    relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (outside) {
    return { uri: pathToFileURL(absolute).href };
  }
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** SARIF requires a base URI to end with a slash, or relative URIs would resolve against its parent. */
function srcRoot(cwd: string): string {
  const href = pathToFileURL(cwd).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** ESLint's columns are 1-based UTF-16 offsets with an exclusive end, which is SARIF's default columnKind. */
function region(message: LintMessage): Region | undefined {
  if (!(message.line >= 1)) return undefined;
  const result: Region = { startLine: message.line };
  if (message.column >= 1) result.startColumn = message.column;
  if (message.endLine !== undefined && message.endLine >= 1) result.endLine = message.endLine;
  if (message.endColumn !== undefined && message.endColumn >= 1) result.endColumn = message.endColumn;
  return result;
}

function location(artifact: ArtifactLocation, message: LintMessage): Location {
  const messageRegion = region(message);
  return {
    physicalLocation: { artifactLocation: artifact, ...(messageRegion ? { region: messageRegion } : {}) },
  };
}

export const sarif: Reporter = (results: LintResult[], context: ReportContext) => {
  const rules = context.rules.map((rule) => ({
    id: qualifiedRuleId(rule.id),
    shortDescription: { text: rule.description },
    helpUri: rule.helpUri,
    defaultConfiguration: { level: rule.defaultSeverity === 'error' ? 'error' : 'warning' },
  }));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));

  const artifacts: { location: ArtifactLocation }[] = [];
  const sarifResults: SarifResult[] = [];
  // A file that could not be parsed is a condition of the run, not a finding about the code,
  // so it goes to the invocation's notifications; the run still succeeded for every other file.
  const notifications: Notification[] = [];

  for (const result of results) {
    const fileLocation = artifactLocation(result.filePath, context.cwd);
    artifacts.push({ location: fileLocation });
    const artifact = { ...fileLocation, index: artifacts.length - 1 };

    const toResult = (message: LintMessage, ruleId: string): SarifResult => ({
      ruleId,
      ...(ruleIndex.has(ruleId) ? { ruleIndex: ruleIndex.get(ruleId) } : {}),
      level: level(message.severity),
      message: { text: message.message },
      locations: [location(artifact, message)],
      ...(message.relatedLocations?.length
        ? {
            relatedLocations: message.relatedLocations.map((related, id) => ({
              id,
              physicalLocation: {
                artifactLocation: artifactLocation(related.filePath, context.cwd),
                region: { startLine: related.line, startColumn: related.column },
              },
              message: { text: related.message },
            })),
          }
        : {}),
    });

    for (const message of result.messages) {
      if (message.ruleId === null) {
        notifications.push({
          level: level(message.severity),
          message: { text: message.message },
          locations: [location(artifact, message)],
        });
      } else {
        sarifResults.push(toResult(message, message.ruleId));
      }
    }
    // Suppressed findings stay in the log, marked as such, so dashboards can show them as dismissed.
    for (const message of result.suppressedMessages) {
      if (message.ruleId === null) continue;
      sarifResults.push({
        ...toResult(message, message.ruleId),
        suppressions: message.suppressions.map((suppression) => ({
          kind: 'inSource',
          ...(suppression.justification ? { justification: suppression.justification } : {}),
        })),
      });
    }
  }

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'shutdown-lint', informationUri: INFORMATION_URI, version: context.toolVersion, rules },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        originalUriBaseIds: { [SRCROOT]: { uri: srcRoot(context.cwd) } },
        artifacts,
        results: sarifResults,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
};
