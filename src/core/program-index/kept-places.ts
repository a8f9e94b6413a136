// The places kept across program versions. Where a file runs (places.ts) is computed from the
// import graph, the seeds (the files that create a server or resource, register a request handler
// or a shutdown root), the folders served as static files, each file's top-level work and
// re-exports, what a file itself shows, and the packages as their manifests say. An editor's edit
// inside a function changes none of these, and a new program then takes over the previous
// version's places whole; otherwise only what the change can reach is computed again:
// - the static roots are kept when no edited file imports a static server or calls or passes
//   anything by the names they were looked up by, and nothing their evaluation consulted (the
//   files of the constants and declarations it followed, recorded as the classification's answers
//   are: dependencies.ts) changed; else found again;
// - the files' own places (and each package's, and the served folders) are kept when the seeds,
//   the static roots, the settings and everything the packages read from disk are the same: each
//   unchanged file's, unless whether any file imports it changed; an edited file's is computed anew;
// - the files' places, through their importers, and the files running with the service are kept
//   when besides the graph's edges are the same, and each edited file has the same top-level work,
//   re-exports and own place as before; when not, a file's place through its importers is kept
//   unless it loads (directly or not, in either version's graph) a file whose importers changed
//   or an edited file.
// Everything else is computed again as a cold build would (lazily, on the rules' questions).
import type * as ts from 'typescript';
import type { TS } from '../ts-utils.js';
import type { AnyCall } from './call-index.js';
import type { Consulted } from './dependencies.js';
import { hasTopLevelWork, reExports, type ImportGraph } from './import-graph.js';
import type { OutOfService, PlaceCaches, PlaceSettings, Places } from './places.js';
import { bearsOnStaticRoots } from './static-roots.js';

/** How the last program versions' places were had (for tests and `--stats`). */
export const placeCounts = {
  /** Taken over whole. */
  whole: 0,
  /** The files' own places kept, their places through importers computed again. */
  own: 0,
  /** Computed again (the previous version had places, but their inputs changed). */
  none: 0,
  staticRootsKept: 0,
  last: 'cold' as 'cold' | 'whole' | 'own' | 'none',
};

/**
 * Deliberately wrong keeps, for the test that proves it can fail: with one set, an edit that
 * changes the places' inputs must make the incremental index differ from a cold one.
 */
export const placeFaults = {
  ignoreGraph: false,
  ignoreSeeds: false,
  ignoreStaticRootsConsulted: false,
  ignoreDisk: false,
  ignoreEditedFile: false,
  /** After a change of the graph, drop the places of the changed files alone, not of what they load. */
  narrowInvalidation: false,
};

/** The files that create a server or resource, register a request handler or a shutdown root; those that serve; those that register a root. */
export interface SeedSets {
  readonly all: ReadonlySet<ts.SourceFile>;
  readonly serving: ReadonlySet<ts.SourceFile>;
  readonly shutdown: ReadonlySet<ts.SourceFile>;
}

/** The folders served as static files, the callee names they were looked up by, and what finding them consulted. */
export interface StaticRootsFound {
  readonly folders: readonly string[];
  readonly names: ReadonlySet<string>;
  readonly consulted: Consulted | undefined;
}

/** What one version's places came from and computed, handed over to the next version. */
export interface PlacesVersion {
  readonly graph: ImportGraph;
  readonly seeds: SeedSets;
  readonly staticRoots: StaticRootsFound;
  /** Undefined when no rule asked a place in that version. */
  readonly places: { readonly caches: PlaceCaches; readonly settings: PlaceSettings } | undefined;
  readonly serviceFiles: Set<ts.SourceFile> | undefined;
}

/** The edit from the previous version to this one (kept-classification.ts's plan). */
export interface PlacesChange {
  /** The files whose SourceFile is new, with the previous version's. */
  readonly changed: readonly { readonly old: ts.SourceFile; readonly file: ts.SourceFile }[];
  readonly callsOf: (file: ts.SourceFile) => readonly AnyCall[];
  /** Whether an answer that consulted this still holds (ReusePlan.stillHolds). */
  readonly stillHolds: (consulted: Consulted) => boolean;
}

/** The previous version's static roots, when the edit cannot have moved them. */
export function keptStaticRoots(
  t: TS,
  before: PlacesVersion | undefined,
  change: PlacesChange | undefined,
): StaticRootsFound | undefined {
  if (!before || !change) return undefined;
  const { names, consulted } = before.staticRoots;
  if (!consulted) return undefined;
  if (!placeFaults.ignoreStaticRootsConsulted && !change.stillHolds(consulted)) return undefined;
  for (const { old, file } of change.changed)
    if (
      bearsOnStaticRoots(t, old, change.callsOf(old), names) ||
      bearsOnStaticRoots(t, file, change.callsOf(file), names)
    )
      return undefined;
  placeCounts.staticRootsKept++;
  return before.staticRoots;
}

/** What the new version's places start from: the previous version's maps, rid of what no longer holds. */
export interface CarriedPlaces {
  readonly caches: PlaceCaches;
  /** The files running with the service, when kept (re-keyed to the new SourceFiles). */
  serviceFiles: Set<ts.SourceFile> | undefined;
  /** An edited file's own place in the previous version: the places through importers hold only if it is the same now. */
  readonly ownBefore: { readonly file: ts.SourceFile; readonly place: OutOfService | undefined }[];
  /** An edited file's place in the previous version (kept with the others when its own place is the same). */
  readonly placeBefore: { readonly file: ts.SourceFile; readonly place: OutOfService | undefined }[];
  tier: 'whole' | 'own' | 'none';
}

/**
 * What the new version takes over of the previous version's places (see the head of this module),
 * or undefined when nothing can be (no previous version, or one without places). The maps handed
 * over are changed in place: the previous version's entries for the edited files' old
 * SourceFiles, and whatever else no longer holds, are removed.
 */
export function carryPlaces(
  t: TS,
  before: PlacesVersion | undefined,
  change: PlacesChange | undefined,
  now: {
    graph: ImportGraph;
    /** The program's own files. */
    files: readonly ts.SourceFile[];
    seeds: SeedSets;
    staticRoots: StaticRootsFound;
    settings: PlaceSettings;
  },
): CarriedPlaces | undefined {
  if (!before?.places || !change) return undefined;
  const old = before.places.caches;
  const settings = before.places.settings;
  const sameSettings = (Object.keys(settings) as (keyof PlaceSettings)[]).every(
    (key) => settings[key] === now.settings[key],
  );
  // Facts of a file's syntax and the settings alone: they hold for every unchanged file.
  for (const { old: file } of change.changed) {
    old.reactFiles.delete(file);
    old.guardedFiles.delete(file);
  }
  if (!sameSettings) {
    old.reactFiles.clear();
    old.guardedFiles.clear();
  }
  const ownInputsHold =
    sameSettings &&
    (placeFaults.ignoreSeeds || sameSeeds(before.seeds, now.seeds)) &&
    sameList(before.staticRoots.folders, now.staticRoots.folders) &&
    (placeFaults.ignoreDisk || old.packages?.unchangedOnDisk() === true);
  if (!ownInputsHold)
    return {
      caches: {
        own: new Map(),
        places: new Map(),
        reactFiles: old.reactFiles,
        guardedFiles: old.guardedFiles,
        packages: undefined,
        packagePlaces: new Map(),
        servedFolders: undefined,
      },
      serviceFiles: undefined,
      ownBefore: [],
      placeBefore: [],
      tier: 'none',
    };

  const ownBefore: CarriedPlaces['ownBefore'] = [];
  const placeBefore: CarriedPlaces['placeBefore'] = [];
  for (const { old: oldFile, file } of change.changed) {
    if (old.own.has(oldFile)) ownBefore.push({ file, place: old.own.get(oldFile) });
    if (old.places.has(oldFile)) placeBefore.push({ file, place: old.places.get(oldFile) });
    old.own.delete(oldFile);
    old.places.delete(oldFile);
  }
  const carried: CarriedPlaces = { caches: old, serviceFiles: undefined, ownBefore, placeBefore, tier: 'own' };
  const sameGraph = placeFaults.ignoreGraph || now.graph.sameEdgesAs(before.graph);
  const sameEditedFiles =
    placeFaults.ignoreEditedFile ||
    change.changed.every(
      ({ old: oldFile, file }) =>
        hasTopLevelWork(t, oldFile) === hasTopLevelWork(t, file) && reExports(t, oldFile) === reExports(t, file),
    );
  if (!sameGraph || !sameEditedFiles) {
    // A file's place through its importers reads, for each file of its walk back through the
    // graph, its importers, their own places, its top-level work and re-exports: the change reaches
    // the places of the files that a file whose importers changed, or an edited file, loads,
    // directly or not, in either version's graph. The others' are kept.
    const oldOf = new Map(change.changed.map((c) => [c.file, c.old]));
    const starts: { old: ts.SourceFile; file: ts.SourceFile }[] = [...change.changed];
    if (!sameGraph)
      for (const file of now.files) {
        const oldFile = oldOf.get(file) ?? file;
        const importers = now.graph.importersOf(file);
        const importersBefore = before.graph.importersOf(oldFile);
        if (!sameNames(importers, importersBefore)) {
          starts.push({ old: oldFile, file });
          // A file's own place asks only whether some file imports it.
          if (importers.length > 0 !== importersBefore.length > 0) old.own.delete(file);
        }
      }
    const reached = new Set<string>();
    for (const { old: oldFile, file } of starts) {
      if (placeFaults.narrowInvalidation) {
        reached.add(file.fileName);
        continue;
      }
      for (const loaded of before.graph.loadedBy(oldFile)) reached.add(loaded.fileName);
      for (const loaded of now.graph.loadedBy(file)) reached.add(loaded.fileName);
    }
    for (const file of [...old.places.keys()]) if (reached.has(file.fileName)) old.places.delete(file);
    return carried;
  }
  if (before.serviceFiles) {
    const service = before.serviceFiles;
    for (const { old: oldFile, file } of change.changed) if (service.delete(oldFile)) service.add(file);
    carried.serviceFiles = service;
  }
  carried.tier = 'whole';
  return carried;
}

/**
 * Completes a carry once the new version's places exist: each edited file's own place, computed
 * now, must be what it was for the places through importers (and the service's files) to hold.
 */
export function settleCarriedPlaces(carried: CarriedPlaces, places: Places): void {
  if (carried.tier === 'whole') {
    const same =
      placeFaults.ignoreEditedFile || carried.ownBefore.every(({ file, place }) => places.ownPlaceOf(file) === place);
    if (same) {
      // An edited file's place through its importers is theirs, which did not change.
      for (const { file, place } of carried.placeBefore) carried.caches.places.set(file, place);
    } else {
      carried.caches.places.clear();
      carried.serviceFiles = undefined;
      carried.tier = 'own';
    }
  }
  placeCounts[carried.tier]++;
  placeCounts.last = carried.tier;
}

function sameSeeds(a: SeedSets, b: SeedSets): boolean {
  return sameFiles(a.all, b.all) && sameFiles(a.serving, b.serving) && sameFiles(a.shutdown, b.shutdown);
}

function sameFiles(a: ReadonlySet<ts.SourceFile>, b: ReadonlySet<ts.SourceFile>): boolean {
  if (a.size !== b.size) return false;
  const names = new Set([...a].map((f) => f.fileName));
  for (const file of b) if (!names.has(file.fileName)) return false;
  return true;
}

function sameNames(a: readonly ts.SourceFile[], b: readonly ts.SourceFile[]): boolean {
  if (a.length !== b.length) return false;
  if (a.every((file, i) => file === b[i] || file.fileName === b[i]!.fileName)) return true;
  const names = new Set(b.map((file) => file.fileName));
  return a.every((file) => names.has(file.fileName));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
